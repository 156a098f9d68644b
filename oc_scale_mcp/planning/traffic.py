"""From users to load: the traffic profile that turns a user count into requests/s and monthly usage.

Averages come from requests per user per day over 86,400 s; the peak is the average times an explicit
peak-to-average factor (default 3: a business-hours app does most of its traffic in a third of the day).
"""

from pydantic import BaseModel, ConfigDict, Field

from oc_scale_mcp.planning.usage import CostUsage

SECONDS_PER_DAY = 86_400
DAYS_PER_MONTH = 30


class TrafficProfile(BaseModel):
    """How one daily active user loads the app. Defaults are stated so a plan is reproducible."""

    model_config = ConfigDict(extra="forbid")

    requests_per_user_per_day: float = Field(
        50, gt=0, description="Dynamic (Worker) requests per daily active user per day."
    )
    peak_to_average: float = Field(3.0, ge=1, description="Peak requests/s divided by the daily average (default 3).")
    static_requests_per_user_per_day: float = Field(
        0, ge=0, description="Static-asset requests per user per day (free on Cloudflare)."
    )
    cpu_ms_per_request: float = Field(5, ge=0, description="Average Worker CPU ms per request.")
    cache_hit_ratio: float = Field(
        0, ge=0, le=1, description="Share of Worker requests answered from cache (no CPU, no D1 queries)."
    )
    d1_queries_per_request: float = Field(3, ge=0, description="D1 queries per (uncached) request.")
    d1_rows_read_per_request: float = Field(30, ge=0, description="D1 rows read (scanned) per (uncached) request.")
    d1_rows_written_per_request: float = Field(0.2, ge=0, description="D1 rows written per request.")
    kv_reads_per_request: float = Field(0, ge=0, description="KV reads per request.")
    kv_writes_per_request: float = Field(0, ge=0, description="KV writes per request.")
    kv_hot_key_writes_per_request: float = Field(
        0, ge=0, description="Writes per request to one shared KV key (a global counter): KV allows 1 write/s per key."
    )
    subrequests_per_request: float = Field(0, ge=0, description="fetch()/binding calls per request.")
    db_mb_per_user: float = Field(0.5, ge=0, description="D1 storage per daily active user, MB.")
    db_fixed_mb: float = Field(5, ge=0, description="D1 storage that does not grow with users, MB.")

    def average_rps(self, users: float) -> float:
        return users * self.requests_per_user_per_day / SECONDS_PER_DAY

    def peak_rps(self, users: float) -> float:
        return self.average_rps(users) * self.peak_to_average

    def requests_per_day(self, users: float) -> float:
        return users * self.requests_per_user_per_day

    def db_mb(self, users: float) -> float:
        return self.db_fixed_mb + users * self.db_mb_per_user

    def monthly_usage(self, users: float) -> CostUsage:
        requests = self.requests_per_day(users) * DAYS_PER_MONTH
        uncached = requests * (1 - self.cache_hit_ratio)
        return CostUsage(
            workers_requests=requests,
            static_asset_requests=users * self.static_requests_per_user_per_day * 30,
            workers_cpu_ms_per_request=self.cpu_ms_per_request,
            workers_cache_hit_ratio=self.cache_hit_ratio,
            d1_rows_read=uncached * self.d1_rows_read_per_request,
            d1_rows_written=requests * self.d1_rows_written_per_request,
            d1_storage_gb=self.db_mb(users) / 1024,
            kv_reads=requests * self.kv_reads_per_request,
            kv_writes=requests * (self.kv_writes_per_request + self.kv_hot_key_writes_per_request),
        )
