// One object of any served CRD as the signed-in user: GET its YAML, PUT an edit of it, DELETE it, as a Workloads
// object (src/server/workload-route.ts); the segments must name a served CRD (src/server/custom-resources.ts).
import {
  forCustomObject,
  type CustomObjectRouteContext,
} from '../../../../../../../src/server/custom-resource-route.ts';
import { objectRoutes } from '../../../../../../../src/server/workload-route.ts';

export const { GET, PUT, DELETE } = objectRoutes<CustomObjectRouteContext>(forCustomObject);
