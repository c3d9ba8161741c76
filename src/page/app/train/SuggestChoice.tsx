// lr_find's suggestion functions (fastai: valley by default; slide, minimum, steep on request):
// which ones the plot marks, and which one fills the fit's LR (the first of the store's list).
import { SUGGESTIONS, suggestLrs, type SuggestionName } from '../../../shared/schedule';
import { useStudio } from '../../store/studio';

const NAMES = Object.keys(SUGGESTIONS) as SuggestionName[];

export function SuggestChoice({ disabled }: { disabled: boolean }) {
  const chosen = useStudio((s) => s.lrSuggest);
  const setChosen = useStudio((s) => s.setLrSuggest);
  const result = useStudio((s) => s.lrFindResult);
  const setFitOptions = useStudio((s) => s.setFitOptions);
  const choose = (names: SuggestionName[]) => {
    setChosen(names);
    // A new primary on a curve already found: its LR goes into the lr field, as after a run.
    if (result && names[0] !== chosen[0])
      setFitOptions({
        lr: suggestLrs(result.lrs, result.losses, result.numIt, [names[0]])[names[0]].lr,
      });
  };
  const toggle = (n: SuggestionName, on: boolean) => {
    const next = on ? [...chosen, n] : chosen.filter((c) => c !== n);
    if (next.length) choose(next);
  };
  return (
    <span className="row" data-testid="lr-suggest">
      suggest{' '}
      {NAMES.map((n) => (
        <label key={n}>
          <input
            type="checkbox"
            checked={chosen.includes(n)}
            onChange={(e) => toggle(n, e.target.checked)}
            disabled={disabled}
            data-testid={`lr-suggest-${n}`}
          />{' '}
          {n}
        </label>
      ))}
      <label>
        lr from{' '}
        <select
          value={chosen[0]}
          onChange={(e) => {
            const p = e.target.value as SuggestionName;
            choose([p, ...chosen.filter((c) => c !== p)]);
          }}
          disabled={disabled}
          data-testid="lr-suggest-primary"
        >
          {chosen.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </span>
  );
}
