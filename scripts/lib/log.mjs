export const log = (tag, msg) => console.log(`[${tag}] ${msg}`);
export const fail = (tag, msg) => {
  console.error(`[${tag}] ${msg}`);
  process.exit(1);
};
