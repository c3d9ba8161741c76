// A store selector whose value changes at most once per `ms`: live charts re-render about once
// a second however often worker events arrive (the store flushes every 250 ms). The first change
// after a quiet period shows at once; the last one always lands.
import { useState, useSyncExternalStore } from 'react';
import { useStudio, type StudioState } from '../../store/studio';

export function useThrottledStudio<T>(selector: (s: StudioState) => T, ms = 1000): T {
  const [source] = useState(() => {
    let snap = selector(useStudio.getState());
    return {
      get: () => snap,
      subscribe(onChange: () => void) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        let last = -Infinity;
        const update = () => {
          timer = undefined;
          last = performance.now();
          const next = selector(useStudio.getState());
          if (next !== snap) {
            snap = next;
            onChange();
          }
        };
        // Catch a change that happened before subscribing.
        update();
        const unsub = useStudio.subscribe((s) => {
          if (timer !== undefined || selector(s) === snap) return;
          timer = setTimeout(update, Math.max(0, last + ms - performance.now()));
        });
        return () => {
          unsub();
          clearTimeout(timer);
        };
      },
    };
  });
  return useSyncExternalStore(source.subscribe, source.get);
}
