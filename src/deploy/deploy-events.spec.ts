import { Logger } from '@nestjs/common';
import { DeployEvents, DeployTransition } from './deploy-events';
import type { Deploy } from './deploy.types';

const deploy = { id: 'd1', status: 'dispatched' } as Deploy;
const transition: DeployTransition = { deploy, from: 'dispatching', to: 'dispatched', at: 1 };

describe('DeployEvents', () => {
  it('hands each transition to every listener', async () => {
    const events = new DeployEvents();
    const seen: DeployTransition[][] = [[], []];
    events.subscribe((t) => void seen[0].push(t));
    events.subscribe((t) => void seen[1].push(t));
    events.publish(transition);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([[transition], [transition]]);
  });

  it('returns before listeners run, and a failing listener does not stop the others (it is logged)', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const events = new DeployEvents();
    const seen: string[] = [];
    events.subscribe(() => {
      throw new Error('boom');
    });
    events.subscribe(() => Promise.reject(new Error('later boom')));
    events.subscribe((t) => void seen.push(t.to));
    events.publish(transition);
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['dispatched']);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });
});
