/**
 * Names of the trust metrics, shared by the queue function (which writes them) and the construct
 * (which alarms on them). Plain data, so the CDK side imports no Powertools.
 */

/** Forged "gateway-made" queue messages dead-lettered as `unverified-envelope`. */
export const UNVERIFIED_ENVELOPE_METRIC = 'UnverifiedEnvelope';
