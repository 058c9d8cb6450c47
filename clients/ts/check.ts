// Type-checked with `tsc --strict` against the generated types (tests/clients): code a front-end team
// would write. Each line fails to compile if the document regresses (a field optional, untyped or
// mistyped; an operation renamed; a response or webhook missing).
import type { components, operations, paths, webhooks } from "./generated/schema";

type Schemas = components["schemas"];
type Order = Schemas["Order"];

// Fields always present in answers are required: no `?` and no `undefined` to handle.
export function orderLine(order: Order): string {
  const id: number = order.id;
  const status: Schemas["OrderStatus"] = order.status;
  const code: string | null = order.pickup_code;
  const due: number = order.amount_due_cents;
  const firstSku: number | undefined = order.lines[0]?.sku_id;
  const payment: string = order.payment?.status ?? "none";
  return `${id} ${status} ${code ?? "-"} ${due} ${firstSku ?? 0} ${payment}`;
}

// Operations are named by their operationId.
type Placed = operations["store_place_order"]["responses"][201]["content"]["application/json"];
export const placedTotal = (order: Placed): number => order.total_cents;
type PlaceBody = NonNullable<operations["store_place_order"]["requestBody"]>["content"]["application/json"];
export const body: PlaceBody = { lines: [{ sku_id: 1, quantity: 2 }], payment_method: "pay_at_pickup" };

// Errors are one envelope, 503 included.
type Unavailable = operations["store_place_order"]["responses"][503]["content"]["application/json"];
export const retryCode = (e: Unavailable): string => e.error.code;

// CSV downloads are text.
type PickList = paths["/api/v1/admin/pick-lists.csv"]["get"]["responses"][200]["content"]["text/csv"];
export const csvText = (file: PickList): string => file;

// Outbound webhooks are typed too.
type Paid = NonNullable<webhooks["order.paid"]["post"]>["requestBody"]["content"]["application/json"];
export const paidNumber = (event: Paid): string => event.data.order_number;
