export default async function globalSetup(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) throw new Error(`Tests need Node 22 (found ${process.version}); run them with npm test.`);
}
