import {
  DEFAULT_THEME,
  createTheme,
  darken,
  luminance,
  type CSSVariablesResolver,
  type MantineColorsTuple,
} from '@mantine/core';

/**
 * WCAG 2.1 AA asks 4.5:1 for text; a little margin keeps rounding in browsers and in axe-core on
 * the right side of it.
 */
export const MIN_CONTRAST = 4.6;

/** WCAG contrast ratio of two opaque colours (hex or rgb[a]). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** `color` itself if it reads at MIN_CONTRAST on every background given, else it darkened just enough. */
export function readable(color: string, backgrounds: string[]): string {
  for (let step = 0; step < 25; step++) {
    const candidate = step === 0 ? color : darken(color, step * 0.04);
    if (backgrounds.every((bg) => contrast(candidate, bg) >= MIN_CONTRAST)) return candidate;
  }
  return '#000000';
}

const WHITE = DEFAULT_THEME.white;
const gray = DEFAULT_THEME.colors.gray;
/** Where text sits in this portal: cards (white), the page (gray 0), hovered table rows (gray 1). */
export const SURFACES = [WHITE, gray[0], gray[1]];

/**
 * Mantine's default light-scheme colours are too pale for text: dimmed gray 6 is 3.3:1 on white,
 * filled indigo 6 under white text 4.3:1, a light teal badge 4.3:1 (3.8:1 hovered) and yellow text
 * never passes. Each colour keeps its hue and Mantine's backgrounds; only what text is drawn in
 * (or on) is darkened, as little as needed to reach MIN_CONTRAST:
 * - `-text` / `-outline`: text in that colour on SURFACES (`<Text c="red">`, outline badges);
 * - `-filled` / `-filled-hover`: backgrounds under white text (filled buttons and badges);
 * - `-light-color`: text on the colour's own light background and its hover shade (light badges,
 *   light buttons, alerts, the active navigation link).
 * The dark scheme is left as Mantine ships it; the portal uses the light one only.
 */
export const accessibleColors: CSSVariablesResolver = (theme) => {
  const light: Record<string, string> = {};
  for (const [name, shades] of Object.entries(theme.colors) as [string, MantineColorsTuple][]) {
    const text = readable(shades[6], SURFACES);
    const filled = readable(shades[6], [WHITE]);
    light[`--mantine-color-${name}-text`] = text;
    light[`--mantine-color-${name}-outline`] = text;
    light[`--mantine-color-${name}-filled`] = filled;
    light[`--mantine-color-${name}-filled-hover`] = darken(filled, 0.12);
    light[`--mantine-color-${name}-light-color`] = readable(shades[9], [shades[1], shades[2]]);
  }
  // Secondary text also sits inside light alerts (an error state's request id): their shade 1 too.
  const lightBackgrounds = Object.entries(theme.colors)
    .filter(([name]) => name !== 'dark')
    .map(([, shades]) => shades[1]);
  const dimmed = readable(gray[6], [...SURFACES, ...lightBackgrounds]);
  return {
    variables: {},
    light: {
      ...light,
      '--mantine-color-dimmed': dimmed,
      '--mantine-color-placeholder': dimmed,
      '--mantine-color-anchor': light[`--mantine-color-${theme.primaryColor}-text`],
      '--mantine-color-error': light['--mantine-color-red-text'],
      '--mantine-color-success': light['--mantine-color-teal-text'],
    },
    dark: {},
  };
};

export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  headings: { fontWeight: '650' },
  // Dialogs, menus and notifications appear without animation for people who asked for less motion.
  respectReducedMotion: true,
  components: {
    // Links are underlined: colour alone does not tell them from the text around them (WCAG 1.4.1).
    Anchor: { defaultProps: { underline: 'always' } },
    // The × of a dialog or a notification is an icon only: give it a name screen readers can say.
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } } },
    // Mantine's focus placeholder (a role="presentation" div) is not allowed inside role="menu";
    // without it the first item takes focus on open, as the ARIA menu pattern expects.
    Menu: { defaultProps: { withInitialFocusPlaceholder: false } },
  },
});
