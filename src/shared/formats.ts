// The export formats, in a module of their own so the main-thread bundle can name them
// without pulling in the exporters (and tfjs) that live in the worker.
export type ExportFormat = 'safetensors' | 'tfjs' | 'session' | 'script' | 'page';
export const EXPORT_FORMATS: ExportFormat[] = ['safetensors', 'tfjs', 'session', 'script', 'page'];
