// Light / dark / follow the system (prefers-color-scheme). The ui slice sets <html data-theme>,
// which styles.css reads; 'auto' leaves it to the media query. Remembered in localStorage.
import { useStudio } from '../store/studio';
import { rememberedTheme } from '../store/uiSlice';

const NEXT = { auto: 'light', light: 'dark', dark: 'auto' } as const;
const LABEL = { auto: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;

/** Applies the remembered theme before the first render (App module load). */
export function restoreTheme() {
  const t = rememberedTheme();
  if (t !== 'auto') useStudio.getState().setTheme(t);
}

export function ThemeToggle() {
  const theme = useStudio((s) => s.theme);
  const setTheme = useStudio((s) => s.setTheme);
  return (
    <button
      className="secondary theme-toggle"
      onClick={() => setTheme(NEXT[theme])}
      aria-label={`${LABEL[theme]} (click to change)`}
      data-testid="theme-toggle"
    >
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'} {LABEL[theme].slice(7)}
    </button>
  );
}
