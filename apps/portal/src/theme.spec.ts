import { DEFAULT_THEME, mergeMantineTheme, type MantineColorsTuple } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { accessibleColors, theme } from './theme';

/** WCAG 2.x contrast, written out here rather than borrowed from the theme it checks. */
function ratio(a: string, b: string): number {
  const rgb = (c: string): number[] => {
    const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(c);
    if (short) return short.slice(1, 4).map((h) => parseInt(h + h, 16));
    const hex = /^#([0-9a-f]{6})$/i.exec(c);
    if (hex) return [0, 2, 4].map((i) => parseInt(hex[1].slice(i, i + 2), 16));
    const fn = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(c);
    if (!fn) throw new Error(`not a colour this test reads: ${c}`);
    return fn.slice(1, 4).map(Number);
  };
  const lum = (c: string) => {
    const [r, g, b] = rgb(c).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const AA = 4.5;
const full = mergeMantineTheme(DEFAULT_THEME, theme);
const vars = accessibleColors(full).light;
const gray = full.colors.gray;
const surfaces = [full.white, gray[0], gray[1]];

describe('theme colours (light scheme) meet WCAG AA for text', () => {
  it("Mantine's defaults did not (so this test can fail)", () => {
    expect(ratio(gray[6], full.white)).toBeLessThan(AA);
    expect(ratio(full.white, full.colors.indigo[6])).toBeLessThan(AA);
    expect(ratio(full.colors.teal[9], full.colors.teal[2])).toBeLessThan(AA);
  });

  it('dimmed text inside light alerts and badges of every colour', () => {
    for (const [name, shades] of Object.entries(full.colors)) {
      if (name !== 'dark')
        expect(ratio(vars['--mantine-color-dimmed'], shades[1]), `dimmed on ${name}.1`).toBeGreaterThanOrEqual(AA);
    }
  });

  it('dimmed, placeholder, link, error and success text on every surface', () => {
    for (const name of ['dimmed', 'placeholder', 'anchor', 'error', 'success']) {
      for (const bg of surfaces)
        expect(ratio(vars[`--mantine-color-${name}`], bg), `${name} on ${bg}`).toBeGreaterThanOrEqual(AA);
    }
  });

  for (const [name, shades] of Object.entries(full.colors) as [string, MantineColorsTuple][]) {
    it(`${name}: coloured text, white on filled, light-variant text`, () => {
      const v = (k: string) => vars[`--mantine-color-${name}-${k}`];
      for (const bg of surfaces) {
        expect(ratio(v('text'), bg), `${name}-text on ${bg}`).toBeGreaterThanOrEqual(AA);
        expect(ratio(v('outline'), bg), `${name}-outline on ${bg}`).toBeGreaterThanOrEqual(AA);
      }
      expect(ratio(full.white, v('filled')), `white on ${name}-filled`).toBeGreaterThanOrEqual(AA);
      expect(ratio(full.white, v('filled-hover')), `white on ${name}-filled-hover`).toBeGreaterThanOrEqual(AA);
      // Light variants draw on shade 1, and on shade 2 when hovered.
      for (const bg of [shades[1], shades[2]]) {
        expect(ratio(v('light-color'), bg), `${name}-light-color on ${bg}`).toBeGreaterThanOrEqual(AA);
      }
    });
  }

  it('leaves colours that already pass as Mantine ships them', () => {
    expect(vars['--mantine-color-gray-light-color']).toBe(gray[9]);
  });
});
