/**
 * CloudWatch Logs encrypts a log group with a customer-managed key only when the key policy lets the
 * regional Logs service use it (IAM policies cannot grant a service principal): the statement AWS
 * documents, limited to this account's log groups in this region by the encryption context.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

const keysAllowingLogs = new WeakSet<kms.IKey>();

/**
 * Adds the CloudWatch Logs statement to `key`'s policy, once per key. A key imported into the app
 * has no policy CDK can change: its owner adds the same statement (docs/deploy.md).
 */
export function allowCloudWatchLogs(key: kms.IKey): void {
  if (keysAllowingLogs.has(key)) return;
  keysAllowingLogs.add(key);
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
}
