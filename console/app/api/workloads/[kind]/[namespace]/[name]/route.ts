// One Workloads object as the signed-in user: GET its YAML, PUT an edit of it, DELETE it (src/server/workload-route.ts).
import { forWorkload, objectRoutes, type WorkloadRouteContext } from '../../../../../../src/server/workload-route.ts';

export const { GET, PUT, DELETE } = objectRoutes<WorkloadRouteContext>(forWorkload);
