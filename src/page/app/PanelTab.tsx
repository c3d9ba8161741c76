// One tab of the nav: the panel's title and its live one-line status.
import type { PanelDef } from './panels';

export function PanelTab({
  panel,
  active,
  onSelect,
}: {
  panel: PanelDef;
  active: boolean;
  onSelect: () => void;
}) {
  const status = panel.useStatus();
  return (
    <button
      role="tab"
      id={`tab-${panel.id}`}
      tabIndex={active ? 0 : -1}
      aria-selected={active}
      aria-controls={`panel-${panel.id}`}
      className={active ? 'tab active' : 'tab'}
      onClick={onSelect}
      data-testid={`tab-${panel.id}`}
    >
      <b>{panel.title}</b>
      <span className="tab-status">{status}</span>
    </button>
  );
}
