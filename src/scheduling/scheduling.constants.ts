/** The BullMQ queue of upcoming publications (registered by SchedulingModule, shown by the dashboard). */
export const PUBLICATION_QUEUE = 'publish';
