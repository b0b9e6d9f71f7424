/**
 * Tag marking an internet-facing load balancer's security group (ECS's and EKS's): the only group the policy
 * pack's sg-no-public-ingress rule lets open 80/443 to the world.
 */
export const LOAD_BALANCER_ROLE_TAG = { "voteapp:role": "load-balancer" } as const;
