// A store selector whose value changes at most once per `ms`, rendered as a React transition:
// live charts re-render about once a second however often worker events arrive (the store
// flushes every 250 ms), and React renders them in time slices that yield to the main thread
// (no long task), committing when done. The first change after a quiet period shows at once;
// the last one always lands.
import { startTransition, useEffect, useState } from 'react';
import { useStudio, type Studio } from '../../store/studio';

export function useThrottledStudio<T>(selector: (s: Studio) => T, ms = 1000): T {
  const [value, setValue] = useState(() => selector(useStudio.getState()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = -Infinity;
    let shown: T | undefined;
    const update = () => {
      timer = undefined;
      last = performance.now();
      const next = selector(useStudio.getState());
      if (next === shown) return;
      shown = next;
      startTransition(() => setValue(next));
    };
    // Catch a change between the first render and this subscription.
    timer = setTimeout(update, 0);
    const unsub = useStudio.subscribe((s) => {
      if (timer !== undefined || selector(s) === shown) return;
      timer = setTimeout(update, Math.max(0, last + ms - performance.now()));
    });
    return () => {
      unsub();
      clearTimeout(timer);
    };
  }, [selector, ms]);
  return value;
}
