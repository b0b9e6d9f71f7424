/**
 * How long a CI session lasts: one source for the roles' MaxSessionDuration (bootstrap) and the workflows'
 * `role-duration-seconds` (scripts/stack-info.ts hands it to deploy-environment.yml).
 *
 * The deploy job's credentials must outlive the longest first `pulumi up`. The longest chain on a new prod
 * account is eks: VPC and NAT gateways, then the EKS cluster, its node group and add-ons, then the
 * Kubernetes workloads, which wait for the Multi-AZ RDS instance and ElastiCache replication group (created
 * in parallel with the cluster). The Terraform AWS provider that Pulumi's aws provider wraps gives those
 * resources these create timeouts (hashicorp/terraform-provider-aws, internal/service/*: eks cluster 30 min,
 * eks node group 60 min (read in internal/service/eks/node_group.go), rds db instance 40 min, elasticache
 * replication group 60 min, the last three per the provider's resource docs): so the worst case the
 * provider itself waits for is about 30 + 60 minutes of EKS plus the VPC, add-ons, images and workloads,
 * i.e. about 2 hours; typical first deploys take 30–45 minutes. Three hours covers the provider's own
 * worst case with margin; STS allows up to 12.
 */
export const DEPLOY_SESSION_SECONDS = 3 * 3600;

/** Preview and promotion pulls are short: one hour, STS's default. */
export const PREVIEW_SESSION_SECONDS = 3600;
