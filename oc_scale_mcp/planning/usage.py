"""What an app uses in a month, in the units people know, mapped to a provider's billing meters.

The mapping carries the billing rules the price list alone does not: static-asset requests are free;
cached Worker responses are billed requests without CPU; Durable Object WebSocket messages count 20:1;
Durable Object duration is billed at 128 MB per active object; a Queues message costs a write, a read
and a delete per 64 KB chunk (1 KB = 1,000 bytes, plus ~100 bytes of metadata).
"""

import math

from pydantic import BaseModel, ConfigDict, Field

DO_MEMORY_GB = 0.128  # Cloudflare's examples: "seconds * 128 MB / 1 GB"
WEBSOCKET_BILLING_RATIO = 20
QUEUE_CHUNK_KB = 64
QUEUE_METADATA_KB = 0.1


class CostUsage(BaseModel):
    """Monthly usage. Every field defaults to 0; give what the app uses."""

    model_config = ConfigDict(extra="forbid")

    workers_requests: float = Field(
        0,
        ge=0,
        description="Requests that reach the Worker per month (cache hits included, static-asset requests not).",
    )
    static_asset_requests: float = Field(
        0, ge=0, description="Requests served as static assets: free, listed for completeness."
    )
    workers_cpu_ms_per_request: float = Field(0, ge=0, description="Average CPU milliseconds per Worker invocation.")
    workers_cache_hit_ratio: float = Field(
        0,
        ge=0,
        le=1,
        description="Share of Worker requests answered from Workers Caching (billed as requests, no CPU).",
    )
    d1_rows_read: float = Field(0, ge=0, description="D1 rows read (scanned) per month.")
    d1_rows_written: float = Field(0, ge=0, description="D1 rows written per month (index entries count too).")
    d1_storage_gb: float = Field(0, ge=0, description="D1 storage across all databases, GB.")
    kv_reads: float = Field(0, ge=0, description="KV keys read per month.")
    kv_writes: float = Field(0, ge=0, description="KV keys written per month.")
    kv_deletes: float = Field(0, ge=0, description="KV keys deleted per month.")
    kv_lists: float = Field(0, ge=0, description="KV list requests per month.")
    kv_storage_gb: float = Field(0, ge=0, description="KV stored data, GB.")
    r2_storage_gb_month: float = Field(0, ge=0, description="R2 Standard storage, GB-month.")
    r2_class_a: float = Field(0, ge=0, description="R2 Class A operations (writes, lists) per month.")
    r2_class_b: float = Field(0, ge=0, description="R2 Class B operations (reads) per month.")
    r2_ia_storage_gb_month: float = Field(
        0, ge=0, description="R2 Infrequent Access storage, GB-month (30-day minimum applies)."
    )
    r2_ia_class_a: float = Field(0, ge=0, description="R2 Infrequent Access Class A operations.")
    r2_ia_class_b: float = Field(0, ge=0, description="R2 Infrequent Access Class B operations.")
    r2_ia_retrieval_gb: float = Field(0, ge=0, description="R2 Infrequent Access data retrieved, GB.")
    do_requests: float = Field(
        0, ge=0, description="Durable Object requests (HTTP, RPC sessions, alarms, WebSocket connections)."
    )
    do_websocket_messages: float = Field(
        0, ge=0, description="Incoming WebSocket messages to Durable Objects (billed 20:1)."
    )
    do_active_seconds: float = Field(
        0, ge=0, description="Total seconds Durable Objects were active (not hibernatable), summed over objects."
    )
    do_storage_gb_month: float = Field(0, ge=0, description="SQLite-backed Durable Object storage, GB-month.")
    queues_messages: float = Field(0, ge=0, description="Queue messages written and consumed per month.")
    queues_message_kb: float = Field(1, gt=0, description="Average message size in KB (1 KB = 1,000 bytes).")

    def meters(self) -> dict[str, float]:
        """Monthly amount per billing meter of the Cloudflare price list."""
        invoked = self.workers_requests * (1 - self.workers_cache_hit_ratio)
        chunks = math.ceil((self.queues_message_kb + QUEUE_METADATA_KB) / QUEUE_CHUNK_KB)
        return {
            k: v
            for k, v in {
                "workers_requests": self.workers_requests,
                "workers_cpu_ms": invoked * self.workers_cpu_ms_per_request,
                "d1_rows_read": self.d1_rows_read,
                "d1_rows_written": self.d1_rows_written,
                "d1_storage_gb": self.d1_storage_gb,
                "kv_reads": self.kv_reads,
                "kv_writes": self.kv_writes,
                "kv_deletes": self.kv_deletes,
                "kv_lists": self.kv_lists,
                "kv_storage_gb": self.kv_storage_gb,
                "r2_storage_gb_month": self.r2_storage_gb_month,
                "r2_class_a": self.r2_class_a,
                "r2_class_b": self.r2_class_b,
                "r2_ia_storage_gb_month": self.r2_ia_storage_gb_month,
                "r2_ia_class_a": self.r2_ia_class_a,
                "r2_ia_class_b": self.r2_ia_class_b,
                "r2_ia_retrieval_gb": self.r2_ia_retrieval_gb,
                "do_requests": self.do_requests + self.do_websocket_messages / WEBSOCKET_BILLING_RATIO,
                "do_duration_gb_s": round(self.do_active_seconds * DO_MEMORY_GB, 6),
                "do_storage_gb_month": self.do_storage_gb_month,
                "queues_operations": self.queues_messages * 3 * chunks,
            }.items()
            if v
        }
