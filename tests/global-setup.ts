// Before any test: compile scripts/ the way bootstrap.mjs does, so code that runs in worker
// threads (the Markdown workers) exists as JavaScript, as it does for a real build.
export default async function setup(): Promise<void> {
  // @ts-expect-error compile.mjs is plain JavaScript without type declarations.
  const { compile } = (await import('../scripts/compile.mjs')) as { compile: () => Promise<string> };
  await compile();
}
