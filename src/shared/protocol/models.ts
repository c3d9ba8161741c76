// The Model commands' types (src/models/session.ts) and the adapter the worker runs on.
export interface ModelInfo {
  arch: string;
  nParams: number;
  nClasses: number;
  labels: boolean;
  source: string;
}
export interface WeightFile {
  name: string;
  bytes: ArrayBuffer;
}
export interface PredictImage {
  path: string;
  bytes: ArrayBuffer;
}
export interface Prediction {
  path: string;
  top: { label: string; prob: number }[];
  error?: string;
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  shaderF16: boolean;
  subgroups: boolean;
  features: string[];
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupSizeX: number;
  };
}
