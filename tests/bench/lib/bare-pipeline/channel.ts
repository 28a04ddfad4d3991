/** The pub/sub channel the bare pipeline's threads announce task changes on. */
export const BARE_EVENTS = 'bare-pipeline-events'
