// The Model panel: choose the architecture and its starting weights (random init, the bundled
// ImageNet ResNet50, or dropped safetensors / .pth / TF.js files), see the model's state, and
// freeze or unfreeze the learner's body. The Train panel builds its learner from this choice.
import { cachedFetch } from '../../../shared/cachedFetch';
import { useState, type DragEvent } from 'react';
import { ARCH_CHOICES, ARCH_NAMES, type ModelChoice } from '../../store/modelSlice';
import { useStudio, type StudioState } from '../../store/studio';

const SOURCE_LABEL: Record<ModelChoice['source'], string> = {
  random: 'random init',
  imagenet: 'ImageNet',
  weights: 'imported weights',
};

/** Architectures dropped weights can go into (TF.js layers files go into Keras ResNet50). */
const WEIGHT_ARCHS: [string, string][] = [
  ['resnet18', 'ResNet-18'],
  ['resnet34', 'ResNet-34'],
  ['resnet50', 'ResNet-50'],
  ['resnet-tiny', 'tiny ResNet'],
  ['keras-resnet50', 'Keras ResNet50 (TF.js layers)'],
];

/** The one-line state shown in the nav: "ResNet50 · ImageNet · frozen · 3 groups". */
export function modelStatusLine(s: StudioState): string {
  const c = s.modelChoice;
  const parts = [ARCH_NAMES[c.arch] ?? c.arch, SOURCE_LABEL[c.source]];
  const f = s.freezeState;
  if (f && s.trainSetup)
    parts.push(f.frozenGroups > 0 ? 'frozen' : 'unfrozen', `${f.groups} groups`);
  return parts.join(' · ');
}

function WeightDrop() {
  const choice = useStudio((s) => s.modelChoice);
  const status = useStudio((s) => s.modelStatus);
  const load = useStudio((s) => s.loadWeightFiles);
  const [target, setTarget] = useState(
    WEIGHT_ARCHS.some(([a]) => a === choice.arch) ? choice.arch : 'resnet18',
  );
  const [over, setOver] = useState(false);
  const run = (files: File[]) => {
    // TF.js layers files (model.json + shards) only fit the Keras ResNet50 layout.
    const tfjs =
      files.some((f) => /\.json$/i.test(f.name)) &&
      !files.some((f) => /\.(safetensors|pth|pt|bin|ckpt)$/i.test(f.name));
    void load(files, tfjs ? 'keras-resnet50' : target);
  };
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState<string>();
  // A download the user starts (the CSP allows the Hugging Face hub); kept in Cache Storage.
  const fromUrl = async () => {
    setUrlError(undefined);
    try {
      const r = await cachedFetch(url);
      const name = new URL(url).pathname.split('/').pop() || 'model.safetensors';
      run([new File([await r.arrayBuffer()], name)]);
    } catch (e) {
      setUrlError(`could not download ${url}: ${(e as Error).message}`);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    run([...e.dataTransfer.files]);
  };
  return (
    <div className="subcard" data-testid="weights-drop">
      <h3>Import weights</h3>
      <p className="muted">
        safetensors or PyTorch <code>.pth</code>/<code>.pt</code> with torchvision/timm key names (
        <code>conv1.weight</code>, <code>layer1.0.bn1.running_mean</code>, …), or a TF.js layers
        model (<code>model.json</code> with its shards, all dropped together). Nothing runs from the
        file: a pickle that asks for anything but tensors is refused.
      </p>
      <div className="row">
        <label>
          into{' '}
          <select
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            data-testid="weights-arch"
          >
            {WEIGHT_ARCHS.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label
          className={over ? 'dropzone over' : 'dropzone'}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
        >
          {status === 'loading' ? 'Loading…' : 'Drop weight files here, or choose them'}
          <input
            type="file"
            multiple
            accept=".safetensors,.pth,.pt,.bin,.ckpt,.json"
            className="visually-hidden"
            data-testid="weights-input"
            onChange={(e) => {
              run([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void fromUrl();
        }}
      >
        <label>
          or from a URL{' '}
          <input
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://huggingface.co/timm/resnet18.a1_in1k/resolve/main/model.safetensors"
            size={60}
            data-testid="weights-url"
          />
        </label>
        <button type="submit" className="secondary" disabled={!url || status === 'loading'}>
          Download
        </button>
      </form>
      {urlError && (
        <p className="error" role="alert">
          {urlError}
        </p>
      )}
    </div>
  );
}

function ModelState() {
  const choice = useStudio((s) => s.modelChoice);
  const info = useStudio((s) => s.modelInfo);
  const setup = useStudio((s) => s.trainSetup);
  const freeze = useStudio((s) => s.freezeState);
  const rows: [string, string][] = [
    ['architecture', ARCH_NAMES[choice.arch] ?? choice.arch],
    [
      'weights',
      choice.source === 'weights' && info ? `${info.source}` : SOURCE_LABEL[choice.source],
    ],
  ];
  if (info && choice.source !== 'random')
    rows.push([
      'imported model',
      `${info.nParams.toLocaleString()} parameters · ${info.nClasses} outputs`,
    ]);
  if (setup) {
    rows.push(
      ['learner', `${setup.arch} · ${setup.nParams.toLocaleString()} parameters`],
      [
        'classes',
        `${setup.vocab.length}: ${setup.vocab.slice(0, 12).join(', ')}${setup.vocab.length > 12 ? ', …' : ''}`,
      ],
    );
    if (freeze)
      rows.push([
        'layer groups',
        `${freeze.groups} · ${freeze.frozenGroups > 0 ? `frozen (${freeze.frozenGroups} of ${freeze.groups} groups; BN stays trainable)` : 'unfrozen (all groups train)'}`,
      ]);
  } else rows.push(['learner', 'not created yet: create it here or in the Train panel']);
  return (
    <dl className="kv" data-testid="model-state">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd data-testid={`model-${k.replace(/\s/g, '-')}`}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ModelPanel() {
  const choice = useStudio((s) => s.modelChoice);
  const choose = useStudio((s) => s.chooseArch);
  const status = useStudio((s) => s.modelStatus);
  const error = useStudio((s) => s.modelError);
  const setupLearner = useStudio((s) => s.setupLearner);
  const setFrozen = useStudio((s) => s.setFrozen);
  const running = useStudio((s) => s.trainStatus === 'running');
  const hasLearner = useStudio((s) => !!s.trainSetup);
  const freeze = useStudio((s) => s.freezeState);
  const choiceId = choice.source === 'imagenet' ? 'resnet50-imagenet' : choice.arch;
  return (
    <section className="card" aria-labelledby="model-title" data-testid="model-panel">
      <h2 id="model-title">Model</h2>
      <fieldset className="arch-choices" disabled={running}>
        <legend>Architecture and starting weights</legend>
        {ARCH_CHOICES.map((a) => (
          <label key={a.id} className="radio">
            <input
              type="radio"
              name="arch"
              value={a.id}
              checked={choice.source !== 'weights' && choiceId === a.id}
              onChange={() => void choose(a.id)}
              data-testid={`arch-${a.id}`}
            />{' '}
            {a.label}
          </label>
        ))}
        {choice.source === 'weights' && (
          <label className="radio">
            <input type="radio" name="arch" checked readOnly /> {ARCH_NAMES[choice.arch]} · imported
            weights
          </label>
        )}
      </fieldset>
      {status === 'loading' && <p data-testid="model-loading">Loading weights…</p>}
      {error && (
        <p className="error" role="alert" data-testid="model-error">
          {/unchanged/.test(error)
            ? error
            : `${error.replace(/\.?\s*$/, '.')} The current model is unchanged.`}
        </p>
      )}
      <WeightDrop />
      <ModelState />
      <div className="row">
        <button
          onClick={() => void setupLearner()}
          disabled={running || status === 'loading'}
          data-testid="model-setup"
        >
          {hasLearner ? 'Recreate learner with this model' : 'Create learner with this model'}
        </button>
        <button
          onClick={() => void setFrozen(true)}
          disabled={running || !hasLearner || (freeze?.frozenGroups ?? 0) > 0}
          data-testid="model-freeze"
        >
          Freeze body
        </button>
        <button
          onClick={() => void setFrozen(false)}
          disabled={running || !hasLearner || freeze?.frozenGroups === 0}
          data-testid="model-unfreeze"
        >
          Unfreeze all
        </button>
      </div>
    </section>
  );
}
