/** The BullMQ queue that carries deploy jobs (registered by DeployModule, shown by the dashboard). */
export const DEPLOY_QUEUE = 'deploy';
