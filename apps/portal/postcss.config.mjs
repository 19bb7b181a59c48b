export default {
  plugins: {
    'postcss-preset-mantine': {},
    'postcss-simple-vars': {
      // swagger-ui's CSS has its own $tokens inside strings; leave unknown ones alone.
      silent: true,
      variables: {
        'mantine-breakpoint-xs': '36em',
        'mantine-breakpoint-sm': '48em',
        'mantine-breakpoint-md': '62em',
        'mantine-breakpoint-lg': '75em',
        'mantine-breakpoint-xl': '88em',
      },
    },
  },
};
