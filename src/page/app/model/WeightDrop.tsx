// Import weights: dropped or chosen files (safetensors, .pth, TF.js layers) or a URL, into the
// architecture picked here; the Model slice's loadWeightFiles does the rest.
import { useState, type DragEvent } from 'react';
import { cachedFetch } from '../../../shared/cachedFetch';
import { useStudio } from '../../store/studio';

/** Architectures dropped weights can go into (TF.js layers files go into Keras ResNet50). */
const WEIGHT_ARCHS: [string, string][] = [
  ['resnet18', 'ResNet-18'],
  ['resnet34', 'ResNet-34'],
  ['resnet50', 'ResNet-50'],
  ['resnet-tiny', 'tiny ResNet'],
  ['keras-resnet50', 'Keras ResNet50 (TF.js layers)'],
];

export function WeightDrop() {
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
