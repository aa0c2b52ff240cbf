import { type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Database } from './schema.js';
import type { SqlKind } from './url.js';

/** Name of the table where Kysely records the applied migrations. */
export const MIGRATION_TABLE = 'apim_migrations';
/** Name of the lock table that keeps two processes from migrating at once. */
export const MIGRATION_LOCK_TABLE = 'apim_migrations_lock';

/**
 * Column types with one meaning on the three dialects. Every string column compares byte-wise (code-point order,
 * case-sensitive): `collate "C"` on PostgreSQL, `utf8mb4_bin` on MariaDB/MySQL, SQLite's default BINARY. So ids and
 * key hashes match exactly and `ORDER BY name` gives the same order everywhere.
 */
function columnTypes(kind: SqlKind) {
  const collation =
    kind === 'postgres' ? ' collate "C"' : kind === 'mysql' ? ' character set utf8mb4 collate utf8mb4_bin' : '';
  const varchar = (length: number) => sql.raw(`varchar(${length})${collation}`);
  return {
    id: varchar(64),
    varchar,
    /** ISO-8601 UTC with milliseconds: 24 characters, fixed width. */
    date: varchar(30),
    /** Free text up to 16 MB on MySQL (descriptions, messages). */
    text: sql.raw(`${kind === 'mysql' ? 'mediumtext' : 'text'}${collation}`),
    /** Large documents (definitions, pictures as data URLs): 4 GB on MySQL. */
    longText: sql.raw(`${kind === 'mysql' ? 'longtext' : 'text'}${collation}`),
    int: sql.raw('integer'),
  };
}

/** MySQL tables default to utf8mb4 with the binary collation; other dialects need nothing. */
function tableOptions(kind: SqlKind) {
  return <T extends string, C extends string>(builder: CreateTableBuilder<T, C>) =>
    kind === 'mysql'
      ? builder.modifyEnd(sql`engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`)
      : builder;
}

function initialSchema(kind: SqlKind): Migration {
  const t = columnTypes(kind);
  const options = tableOptions(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('organizations')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('name', t.varchar(512), (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('created_at', t.date, (c) => c.notNull())
        .addColumn('updated_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();

      await db.schema
        .createTable('environments')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('organization_id', t.id, (c) => c.notNull())
        .addColumn('name', t.varchar(512), (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('hrids', t.text, (c) => c.notNull())
        .addColumn('created_at', t.date, (c) => c.notNull())
        .addColumn('updated_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema
        .createIndex('environments_organization_idx')
        .on('environments')
        .column('organization_id')
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('organization_id', t.id, (c) => c.notNull())
        .addColumn('source', t.varchar(255), (c) => c.notNull())
        .addColumn('source_id', t.varchar(255), (c) => c.notNull())
        .addColumn('email', t.varchar(320))
        .addColumn('firstname', t.varchar(255))
        .addColumn('lastname', t.varchar(255))
        .addColumn('password_hash', t.varchar(512))
        .addColumn('roles', t.text, (c) => c.notNull())
        .addColumn('status', t.varchar(32), (c) => c.notNull())
        .addColumn('last_connection_at', t.date)
        .addColumn('created_at', t.date, (c) => c.notNull())
        .addColumn('updated_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema
        .createIndex('users_source_uq')
        .on('users')
        .columns(['organization_id', 'source', 'source_id'])
        .unique()
        .execute();
      await db.schema.createIndex('users_email_idx').on('users').columns(['organization_id', 'email']).execute();
      await db.schema.createIndex('users_created_idx').on('users').columns(['created_at', 'id']).execute();

      await db.schema
        .createTable('apis')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('environment_id', t.id, (c) => c.notNull())
        .addColumn('cross_id', t.varchar(255))
        .addColumn('name', t.varchar(512), (c) => c.notNull())
        .addColumn('api_version', t.varchar(255), (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('type', t.varchar(32), (c) => c.notNull())
        .addColumn('definition_version', t.varchar(32), (c) => c.notNull())
        .addColumn('definition', t.longText, (c) => c.notNull())
        .addColumn('state', t.varchar(32), (c) => c.notNull())
        .addColumn('lifecycle_state', t.varchar(32), (c) => c.notNull())
        .addColumn('visibility', t.varchar(32), (c) => c.notNull())
        .addColumn('labels', t.text, (c) => c.notNull())
        .addColumn('categories', t.text, (c) => c.notNull())
        .addColumn('groups', t.text, (c) => c.notNull())
        .addColumn('primary_owner_id', t.varchar(255))
        .addColumn('picture', t.longText)
        .addColumn('background', t.longText)
        .addColumn('deployed_at', t.date)
        .addColumn('created_at', t.date, (c) => c.notNull())
        .addColumn('updated_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema.createIndex('apis_environment_name_idx').on('apis').columns(['environment_id', 'name']).execute();
      await db.schema.createIndex('apis_name_idx').on('apis').columns(['name', 'id']).execute();
      await db.schema.createIndex('apis_cross_id_idx').on('apis').column('cross_id').execute();

      await db.schema
        .createTable('plans')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('api_id', t.id, (c) => c.notNull())
        .addColumn('environment_id', t.id, (c) => c.notNull())
        .addColumn('cross_id', t.varchar(255))
        .addColumn('name', t.varchar(512), (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('security_type', t.varchar(64), (c) => c.notNull())
        .addColumn('definition', t.longText, (c) => c.notNull())
        .addColumn('status', t.varchar(32), (c) => c.notNull())
        .addColumn('validation', t.varchar(32), (c) => c.notNull())
        .addColumn('comment_required', t.int, (c) => c.notNull())
        .addColumn('sort_order', t.int, (c) => c.notNull())
        .addColumn('published_at', t.date)
        .addColumn('closed_at', t.date)
        .addColumn('created_at', t.date, (c) => c.notNull())
        .addColumn('updated_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema.createIndex('plans_api_idx').on('plans').column('api_id').execute();
      await db.schema.createIndex('plans_environment_idx').on('plans').column('environment_id').execute();

      await db.schema
        .createTable('applications')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('environment_id', t.id, (c) => c.notNull())
        .addColumn('name', t.varchar(512), (c) => c.notNull())
        .addColumn('description', t.text)
        .addColumn('type', t.varchar(64), (c) => c.notNull())
        .addColumn('client_id', t.varchar(255))
        .addColumn('status', t.varchar(32), (c) => c.notNull())
        .addColumn('primary_owner_id', t.varchar(255))
        .addColumn('picture', t.longText)
        .addColumn('settings', t.longText, (c) => c.notNull())
        .addColumn('created_at', t.date, (c) => c.notNull())
        .addColumn('updated_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema
        .createIndex('applications_environment_name_idx')
        .on('applications')
        .columns(['environment_id', 'name'])
        .execute();
      await db.schema.createIndex('applications_client_id_idx').on('applications').column('client_id').execute();

      await db.schema
        .createTable('subscriptions')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('environment_id', t.id, (c) => c.notNull())
        .addColumn('api_id', t.id, (c) => c.notNull())
        .addColumn('plan_id', t.id, (c) => c.notNull())
        .addColumn('application_id', t.id, (c) => c.notNull())
        .addColumn('status', t.varchar(32), (c) => c.notNull())
        .addColumn('consumer_message', t.text)
        .addColumn('publisher_message', t.text)
        .addColumn('client_id', t.varchar(255))
        .addColumn('starting_at', t.date)
        .addColumn('ending_at', t.date)
        .addColumn('processed_at', t.date)
        .addColumn('processed_by', t.varchar(255))
        .addColumn('subscribed_by', t.varchar(255))
        .addColumn('closed_at', t.date)
        .addColumn('paused_at', t.date)
        .addColumn('created_at', t.date, (c) => c.notNull())
        .addColumn('updated_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema.createIndex('subscriptions_api_idx').on('subscriptions').column('api_id').execute();
      await db.schema
        .createIndex('subscriptions_application_idx')
        .on('subscriptions')
        .column('application_id')
        .execute();
      await db.schema.createIndex('subscriptions_plan_idx').on('subscriptions').column('plan_id').execute();
      await db.schema.createIndex('subscriptions_updated_idx').on('subscriptions').column('updated_at').execute();
      await db.schema
        .createIndex('subscriptions_environment_idx')
        .on('subscriptions')
        .columns(['environment_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('environment_id', t.id, (c) => c.notNull())
        .addColumn('application_id', t.id, (c) => c.notNull())
        .addColumn('subscription_ids', t.text, (c) => c.notNull())
        .addColumn('key_hash', t.varchar(255), (c) => c.notNull())
        .addColumn('key_mask', t.varchar(255), (c) => c.notNull())
        .addColumn('revoked', t.int, (c) => c.notNull())
        .addColumn('revoked_at', t.date)
        .addColumn('paused', t.int, (c) => c.notNull())
        .addColumn('expire_at', t.date)
        .addColumn('created_at', t.date, (c) => c.notNull())
        .addColumn('updated_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema
        .createIndex('api_keys_environment_hash_uq')
        .on('api_keys')
        .columns(['environment_id', 'key_hash'])
        .unique()
        .execute();
      await db.schema.createIndex('api_keys_application_idx').on('api_keys').column('application_id').execute();
      await db.schema.createIndex('api_keys_updated_idx').on('api_keys').column('updated_at').execute();

      await db.schema
        .createTable('api_key_subscriptions')
        .addColumn('api_key_id', t.id, (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
        .addColumn('subscription_id', t.id, (c) => c.notNull())
        .addPrimaryKeyConstraint('api_key_subscriptions_pk', ['api_key_id', 'subscription_id'])
        .$call(options)
        .execute();
      await db.schema
        .createIndex('api_key_subscriptions_subscription_idx')
        .on('api_key_subscriptions')
        .column('subscription_id')
        .execute();

      await db.schema
        .createTable('deployments')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('api_id', t.id, (c) => c.notNull())
        .addColumn('environment_id', t.id, (c) => c.notNull())
        .addColumn('revision', t.int, (c) => c.notNull())
        .addColumn('label', t.varchar(255))
        .addColumn('definition', t.longText, (c) => c.notNull())
        .addColumn('deployed_by', t.varchar(255))
        .addColumn('created_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema
        .createIndex('deployments_api_revision_uq')
        .on('deployments')
        .columns(['api_id', 'revision'])
        .unique()
        .execute();

      await db.schema
        .createTable('events')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('environment_id', t.id)
        .addColumn('organization_id', t.id)
        .addColumn('type', t.varchar(64), (c) => c.notNull())
        .addColumn('payload', t.longText, (c) => c.notNull())
        .addColumn('properties', t.text, (c) => c.notNull())
        .addColumn('api_id', t.id)
        .addColumn('created_at', t.date, (c) => c.notNull())
        .$call(options)
        .execute();
      await db.schema.createIndex('events_created_idx').on('events').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('events_api_created_idx').on('events').columns(['api_id', 'created_at']).execute();
      await db.schema
        .createIndex('events_environment_created_idx')
        .on('events')
        .columns(['environment_id', 'created_at'])
        .execute();
    },
  };
}

/**
 * Subscriptions gain the consumer configuration and metadata, and two computed unique keys make the store enforce
 * what concurrent requests could otherwise break: one live subscription per (plan, application), one ACTIVE
 * application per (environment, client id). NULL keys (closed subscriptions, archived applications) never collide.
 */
function subscriptionLifecycle(kind: SqlKind): Migration {
  const t = columnTypes(kind);
  const concat = (...parts: ReturnType<typeof sql.ref>[]) =>
    kind === 'sqlite'
      ? sql.join(
          parts.flatMap((p, i) => (i === 0 ? [p] : [sql.lit('/'), p])),
          sql` || `,
        )
      : sql`concat(${sql.join(
          parts.flatMap((p, i) => (i === 0 ? [p] : [sql.lit('/'), p])),
          sql`, `,
        )})`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('subscriptions').addColumn('configuration', t.longText).execute();
      await db.schema.alterTable('subscriptions').addColumn('metadata', t.text).execute();
      await db.schema.alterTable('subscriptions').addColumn('live_key', t.varchar(160)).execute();
      await sql`update subscriptions set live_key = ${concat(sql.ref('plan_id'), sql.ref('application_id'))}
        where status in ('PENDING', 'ACCEPTED', 'PAUSED')`.execute(db);
      await db.schema.createIndex('subscriptions_live_uq').on('subscriptions').column('live_key').unique().execute();
      await db.schema
        .createIndex('subscriptions_status_ending_idx')
        .on('subscriptions')
        .columns(['status', 'ending_at'])
        .execute();

      await db.schema.alterTable('applications').addColumn('active_client_key', t.varchar(330)).execute();
      await sql`update applications set active_client_key = ${concat(sql.ref('environment_id'), sql.ref('client_id'))}
        where status = 'ACTIVE' and client_id is not null`.execute(db);
      await db.schema
        .createIndex('applications_active_client_uq')
        .on('applications')
        .column('active_client_key')
        .unique()
        .execute();
    },
  };
}

/**
 * The migrations of the configuration database, in order, for one dialect. One list serves SQLite, PostgreSQL and
 * MariaDB/MySQL; only column types differ (see {@link columnTypes}).
 *
 * @example
 * const migrator = new Migrator({ db, provider: { getMigrations: async () => createMigrations('sqlite') } });
 */
export function createMigrations(kind: SqlKind): Record<string, Migration> {
  return {
    '0001-initial-schema': initialSchema(kind),
    '0002-subscription-lifecycle': subscriptionLifecycle(kind),
  };
}

/** The names of the migrations, in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(createMigrations('sqlite'));

/** A Kysely migration provider serving {@link createMigrations} from code (no files read at run time). */
export class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly kind: SqlKind) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return createMigrations(this.kind);
  }
}

/**
 * Applies every pending migration; throws the first failure.
 *
 * @example
 * await migrateToLatest(db, 'postgres');
 */
export async function migrateToLatest(db: Kysely<Database>, kind: SqlKind): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(kind),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    if (error instanceof Error && failed) error.message = `Migration ${failed} failed: ${error.message}`;
    throw error;
  }
}
