import { useStudio } from '../store/studio';

const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;

/** The kernels the self-test refused on this adapter, next to the badge (nothing when all pass). */
function SelfTestNote() {
  const failed = useStudio((s) => s.info?.selfTest.failed);
  if (!failed?.length) return null;
  const names = failed.map((f) => f.kernel).join(', ');
  return (
    <span
      className="badge warn"
      data-testid="selftest-note"
      title={failed
        .map((f) => `${f.kernel}: max rel. error ${f.maxRelError} (${f.case})`)
        .join('\n')}
    >
      kernel {names} failed the self-test on this adapter; using stock tfjs
    </span>
  );
}

export function AdapterBadge() {
  const status = useStudio((s) => s.engineStatus);
  const a = useStudio((s) => s.adapter);
  const engine = useStudio((s) => s.info?.engine);
  if (!a)
    return (
      <span className="badge" data-testid="adapter">
        {status === 'connecting'
          ? 'Starting WebGPU…'
          : engine
            ? `No WebGPU · tfjs ${engine} on the CPU`
            : 'No GPU'}
      </span>
    );
  return (
    <>
      <span
        className="badge ok"
        data-testid="adapter"
        title={`features: ${a.features.join(', ')}\nmax storage binding ${mib(a.limits.maxStorageBufferBindingSize)}, workgroup storage ${a.limits.maxComputeWorkgroupStorageSize} B, ${a.limits.maxComputeInvocationsPerWorkgroup} invocations/workgroup`}
      >
        <b data-testid="adapter-arch">
          {a.vendor || 'unknown vendor'} · {a.architecture || 'unknown architecture'}
        </b>
        <span> · shader-f16 {a.shaderF16 ? 'yes' : 'no'}</span>
        <span> · storage {mib(a.limits.maxStorageBufferBindingSize)}</span>
        <span> · wg mem {a.limits.maxComputeWorkgroupStorageSize / 1024} KiB</span>
      </span>
      <SelfTestNote />
    </>
  );
}
