// The Model panel's model (src/models/session.ts): architectures, weight import, the bundled
// ImageNet ResNet50, forward passes and predictions.
import * as models from '../../models/session';
import type { Handlers } from './types';

export const modelHandlers: Handlers<
  'modelCreate' | 'modelLoadWeights' | 'modelLoadBundled' | 'modelForward' | 'predict'
> = {
  modelCreate: (args, st) => models.createModel(st.model, args),
  modelLoadWeights: (args, st) => models.loadWeights(st.model, args),
  modelLoadBundled: (_, st) => models.loadBundled(st.model),
  modelForward: (args, st) => models.forward(st.model, args),
  predict: (args, st) => models.predict(st.model, args),
};
