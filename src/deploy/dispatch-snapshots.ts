import { Injectable, Logger } from '@nestjs/common';
import { ContentSnapshot } from './content-snapshot';
import { BASELINE, DispatchMarker, Marker } from './dispatch-marker';
import { DeployState } from './deploy-state';
import { changeField } from './deploy-record';
import { Deploy } from './deploy.types';

interface Prepared {
  snapshot: ContentSnapshot;
  last: Marker | null;
}

/**
 * What S3 held just before a claim, kept per deploy by the worker that claims it. Taken BEFORE the claim:
 * every write it contains was recorded before the claim, so the dispatch carries it. (Taken after, it could
 * contain a write that lands in the next deploy, and a Redis wipe before that one would then hide the write
 * from the reconcile pass.) On success it becomes the last-dispatched marker.
 */
@Injectable()
export class DispatchSnapshots {
  private readonly logger = new Logger('Deploy');
  private readonly prepared = new Map<string, Prepared>();

  constructor(
    private readonly marker: DispatchMarker,
    private readonly state: DeployState,
  ) {}

  /** Lists the bucket and reads the marker; a failure only means the marker will not advance this time. */
  async prepare(deployId: string): Promise<void> {
    try {
      const last = await this.marker.read();
      const snapshot = await this.marker.current(last?.snapshot ?? null);
      this.prepared.set(deployId, { snapshot, last });
    } catch (error) {
      this.prepared.delete(deployId);
      this.logger.warn(
        `could not list S3 before dispatching; the reconcile marker will not advance: ${(error as Error).message}`,
      );
    }
  }

  discard(deployId: string): void {
    this.prepared.delete(deployId);
  }

  /**
   * The claimed deploy, settled with what S3 showed before the claim (a deploy resumed elsewhere after a
   * crash has no snapshot and is sent as recorded):
   * - It also names what S3 shows changed since the last dispatch that no recorded edit names (edits whose
   *   queue state a Redis wipe lost, or made in the bucket by another tool). This dispatch deploys them and
   *   moves the marker past them, so it must name them: else no deploy ever would. Only changes to what the
   *   site shows count: a draft created, edited or deleted is not named.
   * - It leaves out a recorded write the last dispatch already carried: a write that reached S3 just before
   *   that deploy's snapshot, whose change was recorded just after its claim. That dispatch named it already,
   *   by the rule above. Only an object unchanged since that snapshot qualifies (same ETag there, here and
   *   in the recorded write), so a newer write is never left out with it.
   */
  async describe(deployId: string): Promise<Deploy> {
    const deploy = (await this.state.get(deployId))!;
    const prepared = this.prepared.get(deployId);
    if (!prepared?.last) return deploy;
    const { snapshot, last } = prepared;
    const listed = new Set(deploy.changes.map(changeField));
    const missing = snapshot
      .changesSince(last.snapshot, new Date().toISOString())
      .filter((c) => !listed.has(changeField(c)));
    // A baseline was never dispatched: a write it caught mid-flight is on the site only once this deploy is.
    const dispatched = last.deployId === BASELINE ? {} : snapshot.unchangedSince(last.snapshot, deploy.changes);
    if (missing.length === 0 && Object.keys(dispatched).length === 0) return deploy;
    const { dropped } = await this.state.settleChanges(deployId, missing, dispatched);
    if (missing.length > 0)
      this.logger.warn(
        `deploy ${deployId} also carries ${missing.length} change(s) found in S3 that no queued edit named: ${missing.map((c) => `${c.action} ${c.kind} ${c.id}`).join(', ')}`,
      );
    if (dropped.length > 0)
      this.logger.log(
        `deploy ${deployId} leaves out ${dropped.length} change(s) the last dispatch (${last.deployId}) already carried: ${dropped.join(', ')}`,
      );
    return (await this.state.get(deployId))!;
  }

  /** Without a snapshot from before the claim (resumed elsewhere after a crash) the marker stays behind: at worst one extra reconcile deploy. */
  async markDispatched(deployId: string): Promise<void> {
    const prepared = this.prepared.get(deployId);
    this.prepared.delete(deployId);
    if (!prepared) return;
    await this.marker
      .write(deployId, prepared.snapshot)
      .catch((error: Error) => this.logger.warn(`could not write the dispatch marker: ${error.message}`));
  }
}
