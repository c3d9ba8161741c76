// The UI's single source of truth. Actions send commands to the worker (./client.ts); worker
// events flow back through each slice's `apply…Events`. Slices by concern, combined by
// spreading (zustand's slices pattern).
import { create } from 'zustand';
import type { WorkerEvent } from '../../shared/protocol';
import { createCleanerSlice, type CleanerSlice } from './cleanerSlice';
import { createDataSlice, type DataSlice } from './dataSlice';
import { createDemoSlice, type DemoSlice } from './demoSlice';
import { createEngineSlice, type EngineSlice } from './engineSlice';
import { createInterpretSlice, type InterpretSlice } from './interpretSlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createRecipeSlice, type RecipeSlice } from './recipeSlice';
import { createTrainSlice, type TrainSlice } from './trainSlice';
import { createUiSlice, type UiSlice } from './uiSlice';

export type Studio = EngineSlice &
  DemoSlice &
  DataSlice &
  ModelSlice &
  TrainSlice &
  RecipeSlice &
  InterpretSlice &
  CleanerSlice &
  UiSlice;

export const useStudio = create<Studio>()((...a) => ({
  ...createEngineSlice(...a),
  ...createDemoSlice(...a),
  ...createDataSlice(...a),
  ...createModelSlice(...a),
  ...createTrainSlice(...a),
  ...createRecipeSlice(...a),
  ...createInterpretSlice(...a),
  ...createCleanerSlice(...a),
  ...createUiSlice(...a),
}));

/** One flush of worker events, handed to every slice that listens. */
export function applyWorkerEvents(events: WorkerEvent[]) {
  const s = useStudio.getState();
  s.applyEngineEvents(events);
  s.applyDataEvents(events);
  s.applyTrainEvents(events);
}
