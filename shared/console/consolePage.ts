import { escapeHtml, HTML_HEAD } from '../connections/callbackPage';
import type { ConsoleManifest } from './consoleAssets';
import { CONSOLE_PATH, type ConsoleSignIn } from './signInSettings';

/**
 * The one HTML page of the console, for every console path (the page routes itself). The sign-in
 * settings travel in a meta tag: data, not script, so the policy needs no inline exception.
 */
export function renderConsolePage(manifest: ConsoleManifest, signIn: ConsoleSignIn): string {
  const asset = (name: string) => escapeHtml(`${CONSOLE_PATH}assets/${name}`);
  return `${HTML_HEAD}
<meta name="console-sign-in" content="${escapeHtml(JSON.stringify(signIn))}">
<title>RollWorks export</title>
<link rel="icon" href="${asset(manifest.icon)}">
<link rel="stylesheet" href="${asset(manifest.style)}">
<script type="module" src="${asset(manifest.script)}"></script>
</head>
<body>
<div id="app"><noscript>The console needs JavaScript.</noscript></div>
</body>
</html>
`;
}

/** When dist/console is missing: the app was deployed or started without `npm run build`. */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head>
<body><main><h1>Console not built</h1><p>Run <code>npm run build</code>; it bundles the console into dist/console.</p></main></body></html>
`;
