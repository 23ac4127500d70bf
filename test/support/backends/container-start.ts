import { GenericContainer, StartedTestContainer, getContainerRuntimeClient } from 'testcontainers';

/** How many times a container start that lost its host port is tried in all. */
const PORT_ATTEMPTS = 5;

/**
 * Docker's port publishing fails when the host port it was given is bound by then: another test process
 * (a service on port 0, a probe, a client's ephemeral port) can take any port between the choice and the bind.
 * Other failures are not this.
 */
export function lostItsHostPort(error: unknown): boolean {
  return /address already in use|port is already allocated/i.test(
    error instanceof Error ? error.message : String(error),
  );
}

/** A GenericContainer that knows the id of the container it created, so a start that fails can remove it. */
export class RemovableContainer extends GenericContainer {
  private createdId: string | undefined;

  protected override containerCreated(containerId: string): Promise<void> {
    this.createdId = containerId;
    return Promise.resolve();
  }

  /** Removes the created container (a start that failed leaves it behind, created but not running). */
  async removeCreated(): Promise<void> {
    const id = this.createdId;
    this.createdId = undefined;
    if (id === undefined) return;
    const client = await getContainerRuntimeClient();
    await client.container
      .getById(id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
}

/**
 * Starts the container `build(attempt)` describes; when its host port was taken meanwhile, removes what was
 * created and starts again (PORT_ATTEMPTS in all). `build` decides what a new attempt binds: a fresh port, or
 * the same one once it is free again.
 */
export async function startContainer(
  build: (attempt: number) => Promise<RemovableContainer>,
): Promise<StartedTestContainer> {
  for (let attempt = 1; ; attempt++) {
    const container = await build(attempt);
    try {
      return await container.start();
    } catch (error) {
      await container.removeCreated();
      if (!lostItsHostPort(error) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}
