import type { ConfigStore } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { type ConformanceContext, expectCode, normalise } from './records.js';

/** The part of a repository the CRUD checks use. */
export interface CrudRepository<T> {
  create(record: T): Promise<T>;
  findById(id: string): Promise<T | undefined>;
  update?(record: T): Promise<T>;
  delete?(id: string): Promise<void>;
}

/** How to exercise one repository with the common create/find/update/delete checks. */
export interface CrudCase<T extends { id: string }> {
  entity: string;
  repository(store: ConfigStore): CrudRepository<T>;
  /** A record with every optional field set. */
  full(): T;
  /** A record with its optional fields left out. */
  minimal(): T;
  /** The same record (same id) with every mutable field changed and at least one optional field cleared. */
  changed?(record: T): T;
  /** Whether the repository has `delete(id)`. */
  deletable: boolean;
}

/**
 * The checks every repository passes: create + findById returns the input (absent optional fields read back as
 * null or absent), unknown ids, duplicate ids (STORAGE_CONFLICT), update replaces the whole record, update of an
 * unknown id (STORAGE_NOT_FOUND), delete, and delete of an unknown id (a no-op).
 */
export function describeCrud<T extends { id: string }>(ctx: ConformanceContext, c: CrudCase<T>): void {
  const repo = () => c.repository(ctx.store);

  describe(`${c.entity}: create and read`, () => {
    it('returns every field as created', async () => {
      const record = c.full();
      expect(normalise(await repo().create(record))).toEqual(normalise(record));
      const found = await repo().findById(record.id);
      expect(normalise(found)).toEqual(normalise(record));
    });

    it('reads absent optional fields back as null or absent', async () => {
      const record = c.minimal();
      await repo().create(record);
      const found = await repo().findById(record.id);
      expect(found).toBeDefined();
      expect(normalise(found)).toEqual(normalise(record));
    });

    it('finds nothing for an unknown id', async () => {
      expect(await repo().findById(`unknown-${globalThis.crypto.randomUUID()}`)).toBeUndefined();
    });

    it('rejects a second record with the same id (STORAGE_CONFLICT)', async () => {
      const record = c.full();
      await repo().create(record);
      await expectCode(repo().create({ ...c.full(), id: record.id }), 'STORAGE_CONFLICT');
      expect(normalise(await repo().findById(record.id))).toEqual(normalise(record));
    });
  });

  const { changed } = c;
  if (changed) {
    describe(`${c.entity}: update`, () => {
      it('replaces the whole record', async () => {
        const record = c.full();
        await repo().create(record);
        const next = changed(record);
        expect(normalise(await repo().update!(next))).toEqual(normalise(next));
        expect(normalise(await repo().findById(record.id))).toEqual(normalise(next));
      });

      it('accepts an update that changes nothing', async () => {
        const record = c.full();
        await repo().create(record);
        await repo().update!(record);
        expect(normalise(await repo().findById(record.id))).toEqual(normalise(record));
      });

      it('rejects an unknown id (STORAGE_NOT_FOUND)', async () => {
        const record = c.full();
        await expectCode(repo().update!(record), 'STORAGE_NOT_FOUND');
        expect(await repo().findById(record.id)).toBeUndefined();
      });
    });
  }

  if (c.deletable) {
    describe(`${c.entity}: delete`, () => {
      it('removes the record, and ignores an unknown id', async () => {
        const record = c.full();
        await repo().create(record);
        await repo().delete!(record.id);
        expect(await repo().findById(record.id)).toBeUndefined();
        await expect(repo().delete!(record.id)).resolves.toBeUndefined();
      });
    });
  }
}
