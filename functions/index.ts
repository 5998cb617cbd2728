/**
 * Every function the API host mounts, one module per URI. To add a URI: create functions/<Uri>.ts
 * exporting `app = defineFunction({...})`, then import it here and add it to the list.
 */
import type { ApiFunction } from './lib/define.ts';
import * as Login from './Login.ts';
import * as RegisterUser from './RegisterUser.ts';
import * as UpdateUser from './UpdateUser.ts';
import * as DeleteUser from './DeleteUser.ts';
import * as SearchCamera from './SearchCamera.ts';
import * as QueryCameraRtsp from './QueryCameraRtsp.ts';

export const functions: readonly ApiFunction[] = [
  Login.app,
  RegisterUser.app,
  UpdateUser.app,
  DeleteUser.app,
  SearchCamera.app,
  QueryCameraRtsp.app,
];
