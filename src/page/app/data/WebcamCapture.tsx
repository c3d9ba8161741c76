// The Data panel's camera (Teachable Machine's main input): pick or name a class, hold the
// button to grab frames; they join the dataset like dropped images (src/shared/captures.ts).
// Frames stay in the page (the CSP lets nothing leave it); the camera runs until stopped or the
// panel goes.
import { useEffect, useRef, useState } from 'react';
import { CAPTURE_INTERVAL_MS, cameraProblem, captureClassProblem } from '../../../shared/captures';
import { useStudio } from '../../store/studio';
import { CaptureThumbs } from './CaptureThumbs';

/** Long side of a grabbed frame: enough for training at 224 px, ~20-40 KB as JPEG. */
const FRAME_SIDE = 320;

function grab(video: HTMLVideoElement): Promise<Blob | null> {
  const { videoWidth: w, videoHeight: h } = video;
  if (!w || !h) return Promise.resolve(null); // no frame yet
  const k = Math.min(1, FRAME_SIDE / Math.max(w, h));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * k);
  canvas.height = Math.round(h * k);
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
}

async function openCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia)
    throw Object.assign(new Error('no mediaDevices'), { name: 'NoMediaDevices' });
  return navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 640 }, height: { ideal: 480 } },
    audio: false,
  });
}

export function WebcamCapture() {
  const summary = useStudio((s) => s.dataSummary);
  const captures = useStudio((s) => s.dataCaptures);
  const addCaptures = useStudio((s) => s.addCaptures);
  const runImport = useStudio((s) => s.runImport);
  const [stream, setStream] = useState<MediaStream>();
  const [error, setError] = useState<string>();
  const [cls, setCls] = useState('');
  const [holding, setHolding] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const pending = useRef<Promise<unknown>[]>([]);
  const problem = captureClassProblem(cls);
  const known = [...new Set([...(summary?.classes ?? []), ...captures.map((c) => c.cls)])];

  useEffect(() => {
    if (video.current && stream) video.current.srcObject = stream;
    return () => stream?.getTracks().forEach((t) => t.stop());
  }, [stream]);

  // While held: a frame every CAPTURE_INTERVAL_MS; on release the data is re-imported.
  useEffect(() => {
    if (!holding || !video.current) return;
    const v = video.current;
    const shoot = () => {
      const p = grab(v).then((b) => {
        if (b && !addCaptures(cls, [b])) setError('the capture cap is reached: delete some frames');
      });
      pending.current.push(p);
    };
    shoot();
    const timer = setInterval(shoot, CAPTURE_INTERVAL_MS);
    return () => {
      clearInterval(timer);
      const all = pending.current;
      pending.current = [];
      void Promise.all(all).then(() => runImport());
    };
  }, [holding, cls, addCaptures, runImport]);

  const start = async () => {
    setError(undefined);
    try {
      setStream(await openCamera());
    } catch (e) {
      setError(cameraProblem(e));
    }
  };
  const hold = (on: boolean) => setHolding(on && !problem && !!stream);

  return (
    <details className="webcam" data-testid="webcam">
      <summary>Capture from the webcam</summary>
      <p className="muted">
        Frames become images of the class (as if dropped in its folder); nothing leaves the page.
      </p>
      <div className="webcam-row">
        {stream ? (
          <button onClick={() => setStream(undefined)}>Stop camera</button>
        ) : (
          <button data-testid="webcam-start" onClick={() => void start()}>
            Start camera
          </button>
        )}
        <label>
          class{' '}
          <input
            data-testid="webcam-class"
            list="webcam-classes"
            value={cls}
            onChange={(e) => setCls(e.target.value)}
            placeholder="pick or name a class"
          />
        </label>
        <datalist id="webcam-classes">
          {known.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <button
          data-testid="webcam-hold"
          className={holding ? 'holding' : undefined}
          disabled={!stream || !!problem}
          title={problem ?? 'hold to capture frames'}
          onPointerDown={() => hold(true)}
          onPointerUp={() => hold(false)}
          onPointerLeave={() => hold(false)}
          onKeyDown={(e) => (e.key === ' ' || e.key === 'Enter') && !e.repeat && hold(true)}
          onKeyUp={() => hold(false)}
        >
          {holding ? 'Capturing…' : 'Hold to capture'}
        </button>
      </div>
      {stream && cls && problem && <p className="error">{problem}</p>}
      {error && (
        <p className="error" role="alert" data-testid="webcam-error">
          {error}
        </p>
      )}
      {stream && <video ref={video} className="webcam-video" autoPlay muted playsInline />}
      <CaptureThumbs />
    </details>
  );
}
