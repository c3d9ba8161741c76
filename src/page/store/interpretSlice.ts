// The Interpret panel's state: the validation-set interpretation of the session's model, the
// selected confusion-matrix cell, Grad-CAM maps by key, and predictions on new images. All the
// tensor work runs in the worker; the main thread only recomputes the cheap multi-label report.
import type { StateCreator } from 'zustand';
import type {
  EnsembleResult,
  GradCamArgs,
  GradCamResult,
  InterpretResult,
  LearnerPrediction,
  TtaResult,
} from '../../shared/protocol';
import { worker } from './client';
import type { Studio } from './studio';

export interface InterpretSlice {
  interpretStatus: 'idle' | 'running' | 'error';
  interpretError?: string;
  interpretResult?: InterpretResult;
  /** The session and fit the result was made for: a new setup or fit makes it stale. */
  interpretOf?: { setup: unknown; fit: unknown };
  /** The clicked confusion-matrix cell: [actual, predicted]. */
  interpretCell?: [number, number];
  /** Multi-label threshold (the slider). */
  interpretThresh: number;
  /** Grad-CAM maps by `gradcamKey`. */
  gradcams: Record<string, GradCamResult>;
  predictStatus: 'idle' | 'running' | 'error';
  predictError?: string;
  predictions: LearnerPrediction[];
  ttaStatus: 'idle' | 'running' | 'error';
  ttaError?: string;
  ttaResult?: TtaResult;
  /** The session and fit the TTA result was made for (as interpretOf). */
  ttaOf?: { setup: unknown; fit: unknown };
  /** fastai learn.tta() over the validation set: the metrics without and with TTA. */
  runTta(args?: { n?: number; beta?: number }): Promise<TtaResult | undefined>;
  ensembleStatus: 'idle' | 'running' | 'error';
  ensembleError?: string;
  ensembleResult?: EnsembleResult;
  /** The session and fit the ensemble result was made for (as interpretOf). */
  ensembleOf?: { setup: unknown; fit: unknown };
  /** The snapshot ensemble's metrics next to the final weights' and each snapshot's. */
  runEnsemble(): Promise<EnsembleResult | undefined>;
  runInterpret(args?: { k?: number }): Promise<InterpretResult | undefined>;
  selectCell(cell: [number, number] | undefined): void;
  setInterpretThresh(t: number): void;
  loadGradcam(args: GradCamArgs): Promise<GradCamResult | undefined>;
  predictFiles(
    files: { path: string; file: Blob }[],
    tta: boolean,
    ensemble?: boolean,
  ): Promise<LearnerPrediction[]>;
}

export const gradcamKey = (a: GradCamArgs) =>
  `${a.index ?? ''}|${a.path ?? ''}|${a.classIndex ?? ''}`;

export const createInterpretSlice: StateCreator<Studio, [], [], InterpretSlice> = (set, get) => ({
  interpretStatus: 'idle',
  interpretThresh: 0.5,
  gradcams: {},
  predictStatus: 'idle',
  predictions: [],
  ttaStatus: 'idle',
  ensembleStatus: 'idle',
  async runEnsemble() {
    if (get().ensembleStatus === 'running' || !(await get().connect())) return undefined;
    set({ ensembleStatus: 'running', ensembleError: undefined });
    try {
      const ensembleResult = await worker().call('ensemble', {});
      const ensembleOf = { setup: get().trainSetup, fit: get().trainResult };
      set({ ensembleStatus: 'idle', ensembleResult, ensembleOf });
      return ensembleResult;
    } catch (err) {
      set({ ensembleStatus: 'error', ensembleError: (err as Error).message });
      return undefined;
    }
  },
  async runTta(args = {}) {
    if (get().ttaStatus === 'running' || !(await get().connect())) return undefined;
    set({ ttaStatus: 'running', ttaError: undefined });
    try {
      const ttaResult = await worker().call('tta', args);
      const ttaOf = { setup: get().trainSetup, fit: get().trainResult };
      set({ ttaStatus: 'idle', ttaResult, ttaOf });
      return ttaResult;
    } catch (err) {
      set({ ttaStatus: 'error', ttaError: (err as Error).message });
      return undefined;
    }
  },
  async runInterpret(args = {}) {
    if (get().interpretStatus === 'running' || !(await get().connect())) return undefined;
    set({ interpretStatus: 'running', interpretError: undefined });
    try {
      const r = await worker().call('interpret', { k: args.k ?? 16 });
      set({
        interpretStatus: 'idle',
        interpretResult: r,
        interpretOf: { setup: get().trainSetup, fit: get().trainResult },
        interpretCell: undefined,
        gradcams: {},
      });
      return r;
    } catch (err) {
      set({ interpretStatus: 'error', interpretError: (err as Error).message });
      return undefined;
    }
  },
  selectCell: (interpretCell) => set({ interpretCell }),
  setInterpretThresh: (interpretThresh) => set({ interpretThresh }),
  async loadGradcam(args) {
    const key = gradcamKey(args);
    const have = get().gradcams[key];
    if (have) return have;
    try {
      const r = await worker().call('gradcam', args);
      set((s) => ({ gradcams: { ...s.gradcams, [key]: r } }));
      return r;
    } catch (err) {
      set({ interpretError: `Grad-CAM: ${(err as Error).message}` });
      return undefined;
    }
  },
  async predictFiles(files, tta, ensemble = false) {
    if (!(await get().connect())) return [];
    set({ predictStatus: 'running', predictError: undefined });
    try {
      const images = await Promise.all(
        files.map(async (f) => ({ path: f.path, bytes: await f.file.arrayBuffer() })),
      );
      const predictions = await worker().call('predictLearner', {
        images,
        tta,
        ensemble,
        top: 3,
      });
      set({ predictStatus: 'idle', predictions });
      return predictions;
    } catch (err) {
      set({ predictStatus: 'error', predictError: (err as Error).message });
      return [];
    }
  },
});
