// "What does it see?": drop photos, get the bundled ImageNet ResNet50's top-5 classes.
// The worker decodes and runs the model; this panel only hands it the file bytes.
import type { Prediction } from '../../../shared/protocol';
import { useState, type DragEvent } from 'react';
import { useStudio, worker } from '../../store/studio';

export function WhatDoesItSee() {
  const [status, setStatus] = useState('');
  const [results, setResults] = useState<{ url: string; p: Prediction }[]>([]);

  async function run(files: File[]) {
    const images = files.filter(
      (f) => f.type.startsWith('image/') || /\.(jpe?g|png|webp|gif|bmp)$/i.test(f.name),
    );
    if (!images.length) return;
    try {
      setStatus('loading the ImageNet ResNet50…');
      const info = await worker().call('modelLoadBundled', {});
      // The worker's current model is now the ImageNet ResNet50: the Model panel follows.
      useStudio.getState().currentModelReplaced(info);
      setStatus(`looking at ${images.length} image${images.length > 1 ? 's' : ''}…`);
      const preds = await worker().call('predict', {
        images: await Promise.all(
          images.map(async (f) => ({ path: f.name, bytes: await f.arrayBuffer() })),
        ),
        top: 5,
      });
      results.forEach((r) => URL.revokeObjectURL(r.url));
      setResults(preds.map((p, i) => ({ url: URL.createObjectURL(images[i]), p })));
      setStatus('');
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e));
    }
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    void run([...e.dataTransfer.files]);
  };

  return (
    <section className="panel" data-testid="what-does-it-see">
      <h2>What does it see?</h2>
      <label className="dropzone" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        Drop photos here, or choose them
        <input
          id="see-input"
          type="file"
          accept="image/*"
          multiple
          hidden
          onChange={(e) => void run([...(e.target.files ?? [])])}
        />
      </label>
      {status && <p data-testid="see-status">{status}</p>}
      {results.map(({ url, p }) => (
        <figure key={url} data-testid="see-result">
          <img src={url} alt={p.path} height={96} />
          <figcaption>
            {p.error ? (
              <span>{p.error}</span>
            ) : (
              <ol>
                {p.top.map((t) => (
                  <li key={t.label}>
                    {t.label.replace(/_/g, ' ')} <small>{(t.prob * 100).toFixed(1)}%</small>
                  </li>
                ))}
              </ol>
            )}
          </figcaption>
        </figure>
      ))}
    </section>
  );
}
