// After `tsc`: bundles the pages' browser modules (web/browser/*-page.ts) into dist/web/static.
import { buildBrowserBundles } from '../dist/web/pages/bundles.js';

const names = await buildBrowserBundles();
console.log(`browser bundles: ${names.join(', ')}`);
