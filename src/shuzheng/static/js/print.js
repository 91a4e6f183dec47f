// Buttons marked data-print open the browser's print dialog (the page also prints without it).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
