import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface GatewayAlarmsProps {
  /** Queues whose oldest message must not get old (the consumer is stuck or Temporal is down). */
  readonly queues: readonly sqs.IQueue[];
  /** Dead-letter queues: any message there is a permanent failure somebody must look at. */
  readonly deadLetterQueues: readonly sqs.IQueue[];
  /** Functions alarmed on errors and throttles. */
  readonly functions: readonly lambda.IFunction[];
  /** @default Duration.minutes(5) */
  readonly oldestMessageAgeThreshold?: Duration;
  /**
   * Forged "gateway-made" queue messages dead-lettered as `unverified-envelope`: any one means a
   * principal that can write the queue tried to pass for the gateway (or the envelope key changed
   * under queued messages).
   * @default - no alarm
   */
  readonly unverifiedEnvelopes?: cloudwatch.IMetric;
  /** Where alarm and OK notifications go. @default - alarms without actions (dashboard only) */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The gateway's alarms. Each one means an event is not reaching its workflow: messages waiting in a
 * DLQ, messages aging in a queue, a function failing or being throttled.
 */
export class GatewayAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    this.alarmTopic = props.alarmTopic;
    const ageThreshold = props.oldestMessageAgeThreshold ?? Duration.minutes(5);

    props.deadLetterQueues.forEach((dlq, index) => {
      this.add(`DeadLetterQueueDepth${index}`, {
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        alarmDescription: `Events failed permanently and wait in ${dlq.node.path}; inspect the reason attribute, then redrive.`,
      });
    });
    props.queues.forEach((queue, index) => {
      this.add(`OldestMessageAge${index}`, {
        metric: queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: ageThreshold.toSeconds(),
        evaluationPeriods: 3,
        alarmDescription: `Events in ${queue.node.path} are older than ${ageThreshold.toHumanString()}: the consumer is failing or Temporal is unreachable.`,
      });
    });
    if (props.unverifiedEnvelopes) {
      this.add('UnverifiedEnvelopes', {
        metric: props.unverifiedEnvelopes,
        threshold: 1,
        evaluationPeriods: 1,
        alarmDescription:
          'A queue message claimed to be made by the gateway (a verified webhook, a queued signal) without a valid ' +
          'seal and was dead-lettered as unverified-envelope: someone who can write the queue tried to pass for the ' +
          'gateway, or the envelope key changed while messages were queued.',
      });
    }
    props.functions.forEach((fn, index) => {
      this.add(`FunctionErrors${index}`, {
        metric: fn.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 5,
        datapointsToAlarm: 2,
        alarmDescription: `${fn.node.path} reports errors (invocations that threw, not partial batch failures).`,
      });
      this.add(`FunctionThrottles${index}`, {
        metric: fn.metricThrottles({ period: Duration.minutes(1), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 5,
        datapointsToAlarm: 2,
        alarmDescription: `${fn.node.path} is throttled: account concurrency or maxConcurrency is too low for the load.`,
      });
    });
  }

  private add(
    id: string,
    props: Omit<cloudwatch.AlarmProps, 'comparisonOperator' | 'treatMissingData'>,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means no messages / no invocations: healthy.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmTopic) {
      alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      alarm.addOkAction(new actions.SnsAction(this.alarmTopic));
    }
    this.alarms.push(alarm);
  }
}
