// The TF.js export: the studio's model rebuilt as a plain `tf.LayersModel` (zeroPadding2d,
// conv2d, batchNormalization, relu, add, maxPooling2d, the fastai head's concat of global max
// and average pooling, batchNormalization, dense), the weights copied in, saved as model.json +
// 4 MB weight shards through `tf.io.withSaveHandler`. Any page loads it with
// `tf.loadLayersModel('model.json')`.
//  - Input: RGB pixels in [0, 1], NHWC, any size (global pooling); the model's normalisation is
//    the first layer, a 1x1 conv named `normalize` ((x*scale - mean)/std, and RGB->BGR for the
//    Keras ResNet50), so pages need not know the statistics.
//  - Output: class probabilities (softmax; sigmoid for multi-label), layer `probs`.
//  - Layer names are our keys with '.' -> '_' (`layer1.0.conv1` -> `layer1_0_conv1`); the Keras
//    ResNet50's are its own Keras names.
// PyTorch-style symmetric padding is ZeroPadding2D + 'valid' (max pooling too: its input is
// post-ReLU, so zero padding equals PyTorch's -inf padding).
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/model';
import { headLayout, type ExportedFile, type ExportMeta } from './torchExport';

type SymT = tf.SymbolicTensor;
const SHARD_BYTES = 4 * 1024 * 1024;

export const layerName = (key: string) => key.replace(/\./g, '_');

/** Builds the LayersModel; `copies` pairs each layer with our tensors for it, in setWeights order. */
export function buildLayersModel(model: Model, meta: ExportMeta) {
  const all = new Map<string, tf.Tensor>([...model.params, ...model.buffers]);
  const has = (k: string) => all.has(k);
  const copies: [tf.layers.Layer, tf.Tensor[]][] = [];
  const apply = (layer: tf.layers.Layer, x: SymT | SymT[], weights?: tf.Tensor[]) => {
    if (weights) copies.push([layer, weights]);
    return layer.apply(x) as SymT;
  };
  const relu = (x: SymT, name: string) => apply(tf.layers.reLU({ name }), x);

  const conv = (x: SymT, key: string, stride: number, padding: 'torch' | 'same') => {
    const w = all.get(`${key}.weight`)!;
    const [k, , , filters] = w.shape;
    const pad = (k - 1) / 2;
    if (padding === 'torch' && pad > 0)
      x = apply(tf.layers.zeroPadding2d({ padding: pad, name: `${layerName(key)}_pad` }), x);
    const bias = has(`${key}.bias`);
    return apply(
      tf.layers.conv2d({
        filters,
        kernelSize: k,
        strides: stride,
        padding: padding === 'same' ? 'same' : 'valid',
        useBias: bias,
        name: layerName(key),
      }),
      x,
      bias ? [w, all.get(`${key}.bias`)!] : [w],
    );
  };
  const bn = (x: SymT, key: string, eps: number) =>
    apply(
      tf.layers.batchNormalization({ axis: -1, epsilon: eps, momentum: 0.9, name: layerName(key) }),
      x,
      ['weight', 'bias', 'running_mean', 'running_var'].map((s) => all.get(`${key}.${s}`)!),
    );

  const input = tf.input({ shape: [null, null, 3], name: 'pixels' });
  // Normalisation as a 1x1 conv: out_c = x_src(c) * scale/std_c - mean_c/std_c.
  const { scale, mean, std, bgr } = meta.input;
  const kernel = new Float32Array(9);
  for (let c = 0; c < 3; c++) kernel[(bgr ? 2 - c : c) * 3 + c] = scale / std[c];
  const normW = tf.tensor4d(kernel, [1, 1, 3, 3]);
  const normB = tf.tensor1d(mean.map((m, c) => -m / std[c]));
  let h = apply(tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'normalize' }), input, [
    normW,
    normB,
  ]);

  const eps = meta.bnEps;
  const relu_ = (x: SymT, key: string) => relu(x, `${layerName(key)}_relu`);
  if (has('layer1.0.conv1.weight')) {
    // torchvision layout: stride in the 3x3 (v1.5).
    h = relu_(bn(conv(h, 'conv1', 2, 'torch'), 'bn1', eps), 'bn1');
    h = apply(tf.layers.zeroPadding2d({ padding: 1, name: 'maxpool_pad' }), h);
    h = apply(
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'maxpool' }),
      h,
    );
    const blocks = [...all.keys()]
      .map((k) => /^layer(\d)\.(\d+)\.conv1\.weight$/.exec(k))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => ({ s: Number(m[1]), b: Number(m[2]) }))
      .sort((a, z) => a.s - z.s || a.b - z.b);
    for (const { s, b } of blocks) {
      const p = `layer${s}.${b}`;
      const stride = b === 0 && s > 1 ? 2 : 1;
      const idn = has(`${p}.downsample.0.weight`)
        ? bn(conv(h, `${p}.downsample.0`, stride, 'torch'), `${p}.downsample.1`, eps)
        : h;
      let y: SymT;
      if (has(`${p}.conv3.weight`)) {
        y = relu_(bn(conv(h, `${p}.conv1`, 1, 'torch'), `${p}.bn1`, eps), `${p}.bn1`);
        y = relu_(bn(conv(y, `${p}.conv2`, stride, 'torch'), `${p}.bn2`, eps), `${p}.bn2`);
        y = bn(conv(y, `${p}.conv3`, 1, 'torch'), `${p}.bn3`, eps);
      } else {
        y = relu_(bn(conv(h, `${p}.conv1`, stride, 'torch'), `${p}.bn1`, eps), `${p}.bn1`);
        y = bn(conv(y, `${p}.conv2`, 1, 'torch'), `${p}.bn2`, eps);
      }
      h = relu(
        apply(tf.layers.add({ name: `${layerName(p)}_add` }), [y, idn]),
        `${layerName(p)}_out`,
      );
    }
  } else if (has('res2a_branch2a.weight')) {
    // Keras ResNet50 v1: stride in the first 1x1 conv of a block.
    h = relu_(bn(conv(h, 'conv1', 2, 'torch'), 'bn_conv1', eps), 'bn_conv1');
    h = apply(tf.layers.zeroPadding2d({ padding: 1, name: 'pool1_pad' }), h);
    h = apply(
      tf.layers.maxPooling2d({
        poolSize: 3,
        strides: 2,
        padding: 'valid',
        name: 'max_pooling2d_1',
      }),
      h,
    );
    const ids = [...all.keys()]
      .map((k) => /^res(\d)([a-z])_branch2a\.weight$/.exec(k))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => m[1] + m[2])
      .sort();
    for (const id of ids) {
      const stride = id[1] === 'a' && Number(id[0]) > 2 ? 2 : 1;
      const idn = has(`res${id}_branch1.weight`)
        ? bn(conv(h, `res${id}_branch1`, stride, 'torch'), `bn${id}_branch1`, eps)
        : h;
      let y = relu_(
        bn(conv(h, `res${id}_branch2a`, stride, 'torch'), `bn${id}_branch2a`, eps),
        `res${id}_branch2a`,
      );
      y = relu_(
        bn(conv(y, `res${id}_branch2b`, 1, 'torch'), `bn${id}_branch2b`, eps),
        `res${id}_branch2b`,
      );
      y = bn(conv(y, `res${id}_branch2c`, 1, 'torch'), `bn${id}_branch2c`, eps);
      h = relu(apply(tf.layers.add({ name: `res${id}` }), [y, idn]), `res${id}_out`);
    }
  } else if (has('conv1.weight') && has('conv2.weight') && has('fc.weight')) {
    // The studio's tiny nets: two 'same' stride-2 convs (+BN), global average pool, linear.
    for (const c of ['1', '2']) {
      h = conv(h, `conv${c}`, 2, 'same');
      if (has(`bn${c}.running_mean`)) h = bn(h, `bn${c}`, 1e-5);
      h = relu(h, `conv${c}_relu`);
    }
  } else throw new Error(`TF.js export does not know the architecture '${model.arch}'`);

  // Heads.
  const layers = headLayout(all);
  if (layers.length) {
    const mx = apply(tf.layers.globalMaxPooling2d({ name: 'head_0_max' }), h);
    const av = apply(tf.layers.globalAveragePooling2d({ name: 'head_0_avg' }), h);
    h = apply(tf.layers.concatenate({ axis: -1, name: 'head_0' }), [mx, av]);
    for (const l of layers) {
      const key = `head.${l.index}`;
      if (l.type === 'BatchNorm1d') h = bn(h, key, l.eps);
      else if (l.type === 'Dropout')
        h = apply(tf.layers.dropout({ rate: l.p, name: layerName(key) }), h);
      else if (l.type === 'ReLU') h = relu(h, layerName(key));
      else if (l.type === 'Linear') {
        const w = all.get(`${key}.weight`)!;
        const b = all.get(`${key}.bias`);
        h = apply(
          tf.layers.dense({ units: l.out_features, useBias: !!b, name: layerName(key) }),
          h,
          b ? [w, b] : [w],
        );
      }
    }
  } else {
    const fc = ['fc1000', 'fc'].find((k) => has(`${k}.weight`));
    if (!fc) throw new Error(`TF.js export: '${model.arch}' has neither a fastai head nor fc`);
    h = apply(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), h);
    const w = all.get(`${fc}.weight`)!;
    h = apply(tf.layers.dense({ units: w.shape[1] as number, name: fc }), h, [
      w,
      all.get(`${fc}.bias`)!,
    ]);
  }
  const probs = apply(
    tf.layers.activation({ activation: meta.multiLabel ? 'sigmoid' : 'softmax', name: 'probs' }),
    h,
  );
  const lm = tf.model({ inputs: input, outputs: probs, name: `studio_${layerName(meta.arch)}` });
  for (const [layer, ws] of copies) layer.setWeights(ws);
  tf.dispose([normW, normB]);
  return lm;
}

export const tfjsSnippet = (
  meta: ExportMeta,
) => `# ${meta.arch} exported from Studio as a TF.js layers model

Files: \`model.json\` (topology + weights manifest) and \`group1-shard*.bin\` (float32 weights).
Input: RGB pixels in [0, 1], shape [batch, height, width, 3] (trained at ${meta.size}x${meta.size};
the normalisation is the model's first layer). Output: ${meta.multiLabel ? 'per-class sigmoid' : 'softmax'} probabilities
over the classes, in this order: ${JSON.stringify(meta.classes)}.

Serve this folder (e.g. \`python3 -m http.server\`) next to a page with:

\`\`\`html
<script src="https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@4.22.0/dist/tf.min.js"></script>
<img id="img" src="my-image.jpg" crossorigin="anonymous">
<script>
  const classes = ${JSON.stringify(meta.classes)};
  (async () => {
    const model = await tf.loadLayersModel('model.json');
    const img = document.getElementById('img');
    await img.decode();
    const probs = tf.tidy(() => {
      const x = tf.browser.fromPixels(img).toFloat().div(255); // RGB in [0, 1]
      const resized = tf.image.resizeBilinear(x, [${meta.size}, ${meta.size}]);
      return model.predict(resized.expandDims(0)).dataSync();
    });
    const best = probs.indexOf(Math.max(...probs));
    console.log(classes[best], probs[best]);
  })();
</script>
\`\`\`
`;

/** The LayersModel saved to model.json + shards, with the README snippet. */
export async function tfjsExport(model: Model, meta: ExportMeta): Promise<ExportedFile[]> {
  const lm = buildLayersModel(model, meta);
  try {
    let art: tf.io.ModelArtifacts | undefined;
    await lm.save(
      tf.io.withSaveHandler(async (a) => {
        art = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(art!.weightData!));
    const n = Math.max(1, Math.ceil(data.length / SHARD_BYTES));
    const shards: ExportedFile[] = [];
    for (let i = 0; i < n; i++)
      shards.push({
        name: `group1-shard${i + 1}of${n}.bin`,
        bytes: data.slice(i * SHARD_BYTES, (i + 1) * SHARD_BYTES),
      });
    const json = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: 'Studio export',
      modelTopology: art!.modelTopology,
      weightsManifest: [{ paths: shards.map((s) => s.name), weights: art!.weightSpecs! }],
      userDefinedMetadata: {
        classes: meta.classes,
        inputSize: meta.size,
        multiLabel: meta.multiLabel,
        architecture: meta.arch,
      },
    };
    const enc = new TextEncoder();
    return [
      { name: 'model.json', bytes: enc.encode(JSON.stringify(json)) },
      ...shards,
      { name: 'README.md', bytes: enc.encode(tfjsSnippet(meta)) },
    ];
  } finally {
    lm.dispose();
  }
}
