// Light / dark / follow the system (prefers-color-scheme). The choice sets <html data-theme>,
// which styles.css reads; 'auto' leaves it to the media query. Remembered in localStorage.
import { useStudio } from '../store/studio';

const NEXT = { auto: 'light', light: 'dark', dark: 'auto' } as const;
const LABEL = { auto: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;
const KEY = 'studio-theme';

/** Applies the remembered theme before the first render (main.tsx or App module load). */
export function restoreTheme() {
  try {
    const t = localStorage.getItem(KEY);
    if (t === 'light' || t === 'dark') useStudio.getState().setTheme(t);
  } catch {
    // storage unavailable (private mode): keep the system theme
  }
}

export function ThemeToggle() {
  const theme = useStudio((s) => s.theme);
  const setTheme = useStudio((s) => s.setTheme);
  return (
    <button
      className="secondary theme-toggle"
      onClick={() => {
        const next = NEXT[theme];
        setTheme(next);
        try {
          localStorage.setItem(KEY, next);
        } catch {
          // not remembered; still applied
        }
      }}
      aria-label={`${LABEL[theme]} (click to change)`}
      data-testid="theme-toggle"
    >
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'} {LABEL[theme].slice(7)}
    </button>
  );
}
