// Page-only state: the colour theme (remembered in localStorage) and the open tab.
import type { StateCreator } from 'zustand';
import type { Studio } from './studio';

export type Theme = 'auto' | 'light' | 'dark';

/** The flow's tabs, left to right. */
export type Tab = 'data' | 'model' | 'train' | 'interpret' | 'export' | 'see';

export interface UiSlice {
  theme: Theme;
  tab: Tab;
  /** Sets <html data-theme> (styles.css reads it; 'auto' leaves it to the media query). */
  setTheme(t: Theme): void;
  setTab(t: Tab): void;
}

const THEME_KEY = 'studio-theme';

/** The remembered theme; 'auto' when none, or storage is unavailable (private mode). */
export function rememberedTheme(): Theme {
  try {
    const t = localStorage.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : 'auto';
  } catch {
    return 'auto';
  }
}

export const createUiSlice: StateCreator<Studio, [], [], UiSlice> = (set) => ({
  theme: 'auto',
  tab: 'data',
  setTheme(theme) {
    set({ theme });
    document.documentElement.dataset.theme = theme;
    try {
      localStorage.setItem(THEME_KEY, theme);
    } catch {
      // not remembered; still applied
    }
  },
  setTab: (tab) => set({ tab }),
});
