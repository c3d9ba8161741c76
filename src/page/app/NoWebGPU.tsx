export function NoWebGPU({ detail }: { detail?: string }) {
  return (
    <section className="card error" role="alert" data-testid="no-webgpu">
      <h2>This browser cannot run Studio: WebGPU is not available</h2>
      <p>Studio trains models on your GPU through WebGPU, entirely on this machine. To use it:</p>
      <ul>
        <li>Use Chrome or Edge 113 or newer (desktop), or Chrome 121+ on Android.</li>
        <li>
          On Linux, enable it at <code>chrome://flags/#enable-unsafe-webgpu</code> (or start Chrome
          with <code>--enable-unsafe-webgpu</code>) and check <code>chrome://gpu</code> for “WebGPU:
          Hardware accelerated”.
        </li>
        <li>Firefox 141+ (Windows) and Safari 26+ also ship WebGPU.</li>
        <li>
          Make sure hardware acceleration is on in the browser's settings, and the page is served
          over https or localhost.
        </li>
      </ul>
      {detail && <p className="muted">Details: {detail}</p>}
    </section>
  );
}
