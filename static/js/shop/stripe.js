// Card payments with Stripe Elements, used only when the store configured a publishable key.
// Stripe.js must be loaded from js.stripe.com (Stripe's rule; it cannot be vendored), so it is
// added to the page the first time a card is needed, never on pages that take no cards.
import { $, t } from "../common.js";
import { state } from "./context.js";

let stripe = null;
let card = null;

function loadStripeJs() {
  if (window.Stripe) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "https://js.stripe.com/v3/";
    script.onload = resolve;
    script.onerror = () => reject(new Error(t("shop.card.no_stripe")));
    document.head.append(script);
  });
}

async function cardElement() {
  await loadStripeJs();
  if (!stripe) stripe = window.Stripe(state.config.stripe_publishable_key);
  if (!card) {
    card = stripe.elements().create("card");
    card.mount("#card-element");
  }
  return card;
}

/** Show the card box and resolve once Stripe confirmed the payment (or setup) of `clientSecret`. */
export async function confirmWithCard(clientSecret, { setup = false, label = t("shop.card.pay") } = {}) {
  const box = $("card-payment");
  box.hidden = false;
  $("card-pay").textContent = label;
  $("card-error").textContent = "";
  const element = await cardElement();
  return new Promise((resolve) => {
    $("card-pay").onclick = async () => {
      $("card-pay").disabled = true;
      const method = { payment_method: { card: element } };
      const result = setup ? await stripe.confirmCardSetup(clientSecret, method)
        : await stripe.confirmCardPayment(clientSecret, method);
      $("card-pay").disabled = false;
      if (result.error) {
        $("card-error").textContent = result.error.message;
        return;
      }
      box.hidden = true;
      resolve(setup ? result.setupIntent : result.paymentIntent);
    };
  });
}
