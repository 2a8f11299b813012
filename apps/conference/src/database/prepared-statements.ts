import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, type EntityTarget } from 'typeorm';

/** The `pg` pool under TypeORM's data source, for the hot paths that bypass the ORM. */
export const databasePool = (dataSource: DataSource): Pool =>
  (dataSource.driver as unknown as { master: Pool }).master;

/**
 * Named prepared statements on the service's database pool, for the calls every API request makes:
 * PostgreSQL parses and plans each once per connection, and no ORM builds a query per call (which was
 * most of the conference service's time under `bench:api`).
 */
@Injectable()
export class PreparedStatements {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs the statement `name` (its `text` must never change for a name). */
  async run<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    const result = await databasePool(this.dataSource).query({ name, text, values });
    return result.rows as T[];
  }

  /**
   * The entity's columns aliased to `aliasPrefix` + its property names, so rows come back in the
   * entity's shape (for entities without value transformers).
   */
  columnsOf(entity: EntityTarget<unknown>, table: string, aliasPrefix = ''): string {
    return this.dataSource
      .getMetadata(entity)
      .columns.map((column) => `${table}."${column.databaseName}" AS "${aliasPrefix}${column.propertyName}"`)
      .join(', ');
  }
}
