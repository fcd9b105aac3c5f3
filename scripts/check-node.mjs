// Runs before `npm start` and `npm test` (plain JavaScript, so any Node can run it): says what to do when the Node
// that npm scripts get is not Node 24, instead of letting Node fail on the first .ts file.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const npmMajor = Number((process.env.npm_config_user_agent ?? '').match(/npm\/(\d+)/)?.[1] ?? 0);
  const why = npmMajor > 0 && npmMajor < 11
    ? `npm ${npmMajor} does not link the Node 24 that "npm install" brought (node_modules/node-linux-*); npm 11 does.`
    : 'no Node 24 was found in node_modules/.bin (npm install brings one on Linux x64 and arm64).';
  console.error(`gatehouse: this is Node ${process.versions.node}, and Gatehouse runs on Node 24: ${why}
  Either upgrade npm ("npm install -g npm@11") and run "npm install" again,
  or put a project-local Node 24 first on PATH for this shell: ". scripts/node24.sh".`);
  process.exit(1);
}
