/**
 * One SQLite writer process for the concurrency test: opens the shared database file with its own
 * connection, runs its share of the load and prints its stats as one JSON line.
 */
import { SqliteRepository } from '../../../manager/src/store/sqlite-repository';
import { runLoad, walletFor } from './load-scenario';

const [path = '', ops = '0', seed = '1', keySpace = '100', prefix = 'w'] = process.argv.slice(2);
const repository = await SqliteRepository.open(path);
const stats = await runLoad(walletFor(repository), { ops: Number(ops), concurrency: 4, seed: Number(seed), keySpace: Number(keySpace), callPrefix: prefix });
await repository.close();
process.stdout.write(`${JSON.stringify(stats)}\n`);
