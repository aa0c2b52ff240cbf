/**
 * The default entry script of a gateway cluster's workers (`cluster.setupPrimary({ exec })`): a worker with the
 * built-in policies. A custom entry script calls {@link runGatewayWorker} with its own hooks.
 */
import { runGatewayWorker } from './worker.js';

runGatewayWorker();
