// What the worker holds: the chosen architecture and weights, the imported model, the learner
// and its layer groups, as a key/value list.
import { ARCH_NAMES } from '../../store/modelSlice';
import { useStudio } from '../../store/studio';
import { SOURCE_LABEL } from './status';

export function ModelState() {
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
