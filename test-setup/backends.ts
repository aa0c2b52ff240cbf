/**
 * Prints which backend suites run and which are skipped, from the URLs in the environment.
 * The SQLite and in-memory suites always run.
 */
const BACKENDS = [
  ['PostgreSQL', 'APIM_TEST_POSTGRES_URL'],
  ['MariaDB/MySQL', 'APIM_TEST_MYSQL_URL'],
  ['Redis', 'APIM_TEST_REDIS_URL'],
] as const;

export default function setup(): void {
  const ran = ['SQLite', 'in-memory'];
  const skipped: string[] = [];
  for (const [name, variable] of BACKENDS) {
    if (process.env[variable]) ran.push(name);
    else skipped.push(`${name} (set ${variable} to run it)`);
  }
  console.log(`Backend suites running: ${ran.join(', ')}`);
  console.log(skipped.length ? `Backend suites skipped: ${skipped.join('; ')}` : 'Backend suites skipped: none');
}
