//! PostgreSQL: a deadpool connection pool, statements prepared once per connection.

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use futures_util::SinkExt;
use sea_query::Value;
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

use super::params::{copy_text, to_pg};
use super::row::{FromRow, Row};
use crate::StoreError;

pub(super) struct PgDb {
    pool: Pool,
}

impl PgDb {
    pub(super) async fn connect(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| StoreError::Config(format!("database URL: {e}")))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(2))
            .build()
            .map_err(|e| StoreError::Config(format!("database pool: {e}")))?;
        // Fail at start-up, not on the first request, when the server is unreachable.
        drop(pool.get().await.map_err(|e| StoreError::Unavailable(e.to_string()))?);
        Ok(PgDb { pool })
    }

    pub(super) async fn get(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

fn params(values: &[Value]) -> Result<Vec<super::params::PgParam>, StoreError> {
    values.iter().map(to_pg).collect()
}

fn refs(p: &[super::params::PgParam]) -> Vec<&(dyn ToSql + Sync)> {
    p.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect()
}

pub(super) async fn fetch_all<T: FromRow>(client: &Object, sql: &str, values: &[Value]) -> Result<Vec<T>, StoreError> {
    let p = params(values)?;
    let st = client.prepare_cached(sql).await?;
    let rows = client.query(&st, &refs(&p)).await?;
    rows.iter().map(|r| T::from_row(&Row::Pg(r))).collect()
}

pub(super) async fn execute(client: &Object, sql: &str, values: &[Value]) -> Result<u64, StoreError> {
    let p = params(values)?;
    let st = client.prepare_cached(sql).await?;
    Ok(client.execute(&st, &refs(&p)).await?)
}

pub(super) async fn copy_in(client: &Object, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<u64, StoreError> {
    let stmt = format!("COPY {table} ({}) FROM STDIN (FORMAT text)", columns.join(","));
    let sink = client.copy_in::<_, bytes::Bytes>(&stmt).await?;
    futures_util::pin_mut!(sink);
    let mut buf = String::with_capacity(1 << 20);
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            copy_text(v, &mut buf)?;
        }
        buf.push('\n');
        if buf.len() > (1 << 20) {
            sink.send(bytes::Bytes::from(std::mem::take(&mut buf))).await?;
        }
    }
    if !buf.is_empty() {
        sink.send(bytes::Bytes::from(buf)).await?;
    }
    Ok(sink.finish().await?)
}
