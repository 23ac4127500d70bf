import { join } from 'node:path';
import type { ContentEvents } from '../src/content/content-events';

/**
 * Preloaded (`node -r`) into `node dist/main.js` for the "deploys off" run: ContentEvents then keeps no
 * subscriber, so content writes skip the deploy trigger and everything else is the production build.
 * It patches the very module the built app loads (dist/content/content-events.js), not a copy.
 */
const builtEvents = join(__dirname, '..', '..', 'content', 'content-events.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const events = require(builtEvents) as { ContentEvents: typeof ContentEvents };
events.ContentEvents.prototype.subscribe = function subscribeNothing(): void {};
